// A child process of the bench that holds many SSE connections (raw TCP sockets, so the
// client side costs as little as it can) and records when each event id arrives on each one.
// Time is process.hrtime (CLOCK_MONOTONIC), the same clock the parent reads when /api/data
// answers, so latencies across the two processes need no clock sync.
//
// Driven over IPC by the parent:
//   {type:"connect", url, count, cookie}     -> {type:"connected", ok, failed, ms}
//   {type:"reset"}                   -> forget what arrived so far (after warm-up) -> {type:"reset"}
//   {type:"progress", ids:[...]}    -> {type:"progress", received, expected}
//   {type:"collect", answers:[[id, tAnswered, tSent]...]} -> {type:"result", ...}
//   {type:"close"}                   -> {type:"closed"}, then exits
import { connect, type Socket } from "node:net";
import { nowMs, type Sketch, sketchOf, sortNumbers } from "./lib/stats.ts";

interface Conn {
  socket: Socket;
  live: boolean;
  carry: string;
}

const conns: Conn[] = [];
let arrivals = new Map<number, number[]>();
let closedEarly = 0;
const ID_RE = /\nid: (\d+)\n/g;

function onData(conn: Conn, chunk: Buffer): void {
  const t = nowMs();
  const text = conn.carry + chunk.toString("latin1");
  if (!conn.live) {
    if (!text.includes("\r\n\r\n")) {
      conn.carry = text;
      return;
    }
    conn.live = true;
  }
  ID_RE.lastIndex = 0;
  let end = 0;
  for (let m = ID_RE.exec(text); m; m = ID_RE.exec(text)) {
    const id = Number(m[1]);
    let list = arrivals.get(id);
    if (!list) {
      list = [];
      arrivals.set(id, list);
    }
    list.push(t);
    end = ID_RE.lastIndex - 1; // keep the "\n" that may start the next match
  }
  conn.carry = text.length - end > 40 ? text.slice(text.length - 40) : text.slice(end);
}

let cookie = "";

function open(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const conn: Conn = { socket: connect(Number(url.port), url.hostname), live: false, carry: "" };
    let settled = false;
    const done = (ok: boolean) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(ok);
      }
    };
    const timer = setTimeout(() => {
      conn.socket.destroy();
      done(false);
    }, 20_000);
    conn.socket.setNoDelay(true);
    conn.socket.on("connect", () => {
      conn.socket.write(
        `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n${cookie ? `Cookie: ${cookie}\r\n` : ""}\r\n`,
      );
    });
    conn.socket.on("data", (chunk: Buffer) => {
      onData(conn, chunk);
      if (conn.live && !settled) {
        conns.push(conn);
        done(true);
      }
    });
    conn.socket.on("error", () => done(false));
    conn.socket.on("close", () => {
      if (settled && conn.live) closedEarly++;
      done(false);
    });
  });
}

async function connectAll(url: URL, count: number, batch: number) {
  const start = nowMs();
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < count; i += batch) {
    const results = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, () => open(url)),
    );
    for (const r of results) r ? ok++ : failed++;
  }
  return { ok, failed, ms: nowMs() - start };
}

function collect(answers: [number, number, number][]) {
  const fromAnswer: number[] = [];
  const fromSend: number[] = [];
  let received = 0;
  for (const [id, tAnswered, tSent] of answers) {
    const list = arrivals.get(id);
    if (!list) continue;
    received += list.length;
    for (const t of list) {
      fromAnswer.push(t - tAnswered);
      fromSend.push(t - tSent);
    }
  }
  const a: Sketch = sketchOf(sortNumbers(fromAnswer));
  const s: Sketch = sketchOf(sortNumbers(fromSend));
  return {
    fromAnswer: a,
    fromSend: s,
    expected: answers.length * conns.length,
    received,
    clients: conns.length,
    closedEarly,
  };
}

process.on("message", async (msg: { type: string; [k: string]: unknown }) => {
  if (msg.type === "connect") {
    cookie = (msg.cookie as string) ?? "";
    const r = await connectAll(
      new URL(msg.url as string),
      msg.count as number,
      (msg.batch as number) ?? 100,
    );
    process.send?.({ type: "connected", ...r });
  } else if (msg.type === "reset") {
    arrivals = new Map();
    process.send?.({ type: "reset" });
  } else if (msg.type === "progress") {
    let received = 0;
    for (const id of msg.ids as number[]) received += arrivals.get(id)?.length ?? 0;
    process.send?.({
      type: "progress",
      received,
      expected: (msg.ids as number[]).length * conns.length,
    });
  } else if (msg.type === "collect") {
    process.send?.({ type: "result", ...collect(msg.answers as [number, number, number][]) });
  } else if (msg.type === "close") {
    for (const c of conns) c.socket.destroy();
    conns.length = 0;
    process.send?.({ type: "closed" }, () => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));

// Baseline for the live-latency and memory benchmarks: a minimal in-process SSE broadcaster.
// It subscribes to the same Redis channel as the stream sidecar (<prefix>:readings), and writes
// each message's readings, as the same SSE events, to every connected client. No ordering, no
// gap filling, no replay, no filters: the least a broadcaster can do.
//
// Env: REDIS_URL, REDIS_CHANNEL_PREFIX, PORT. Says "ready" over IPC once subscribed and listening.
import { createServer, type ServerResponse } from "node:http";
import { Redis } from "ioredis";

const channel = `${process.env.REDIS_CHANNEL_PREFIX ?? "bocloud"}:readings`;
const clients = new Set<ServerResponse>();

const server = createServer((req, res) => {
  if (req.url?.startsWith("/api/stream")) {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    });
    res.write("retry: 1000\n\n");
    clients.add(res);
    res.on("close", () => clients.delete(res));
    return;
  }
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ clients: clients.size }));
});

const sub = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
sub.on("error", () => {});
sub.on("message", (_channel: string, message: string) => {
  const readings = JSON.parse(message) as { id: number }[];
  let text = "";
  for (const r of readings) text += `id: ${r.id}\nevent: reading\ndata: ${JSON.stringify(r)}\n\n`;
  for (const c of clients) c.write(text);
});

await sub.subscribe(channel);
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.({ type: "ready" }));
process.on("SIGTERM", () => {
  for (const c of clients) c.destroy();
  server.close();
  sub.disconnect();
  process.exit(0);
});

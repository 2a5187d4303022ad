// Stand-ins for what Docker gives containers, so the proxy's scaling can be tested without it:
// a DNS server that answers a service name with the addresses of all its containers (as
// Docker's embedded DNS at 127.0.0.11 does), and TCP forwarders that give local processes
// addresses of their own (127.0.0.2, 127.0.0.3, … are all loopback on Linux).
import { createSocket } from "node:dgram";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export interface TestDns {
  /** host:port for nginx's `resolver`. */
  address: string;
  /** Sets the A records of a name (an empty list: the name does not exist). */
  set: (name: string, addresses: string[]) => void;
  close: () => Promise<void>;
}

/** A minimal DNS server over UDP: A queries only, answers with a 1-second TTL. */
export async function startDns(): Promise<TestDns> {
  const records = new Map<string, string[]>();
  const socket = createSocket("udp4");
  socket.on("message", (query, peer) => {
    const reply = answer(query, records);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    set: (name, addresses) => records.set(name.toLowerCase(), addresses),
    close: () => new Promise((r) => socket.close(() => r())),
  };
}

function answer(query: Buffer, records: Map<string, string[]>): Buffer | undefined {
  if (query.length < 17 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset];
    labels.push(query.toString("latin1", offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  offset += 1;
  if (offset + 4 > query.length) return undefined;
  const type = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const addresses = records.get(labels.join(".").toLowerCase()) ?? [];
  const found = addresses.length > 0;
  const answers = found && type === 1 ? addresses : [];

  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
  header.writeUInt16BE(0x8180 | (found ? 0 : 3), 2); // a response, recursion; NXDOMAIN if unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const answerRecords = answers.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(1, 6); // TTL, seconds
    rr.writeUInt16BE(4, 10);
    ip.split(".").forEach((octet, i) => {
      rr[12 + i] = Number(octet);
    });
    return rr;
  });
  return Buffer.concat([header, question, ...answerRecords]);
}

export interface Forwarder {
  host: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Stops listening and cuts open connections: the address refuses from now on. */
  close: () => Promise<void>;
}

/** Listens on host:port (port 0: any) and passes each connection on to 127.0.0.1:target. */
export async function forward(host: string, port: number, target: number): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    state.connections++;
    const upstream = tcpConnect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      s.on("close", () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const state: Forwarder = {
    host,
    port: (server.address() as { port: number }).port,
    connections: 0,
    close: async () => {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
  return state;
}

/**
 * Forwarders on one port shared by several addresses (as the containers of one service), each
 * to its own local port: `[["127.0.0.2", 3000], ["127.0.0.3", 3001]]`.
 */
export async function forwardEach(routes: [host: string, target: number][]): Promise<Forwarder[]> {
  for (let attempt = 0; ; attempt++) {
    const [[host, target], ...others] = routes;
    const first = await forward(host, 0, target);
    const rest = await Promise.allSettled(others.map(([h, t]) => forward(h, first.port, t)));
    const opened = rest.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    if (opened.length === rest.length) return [first, ...opened];
    // That port was taken on another address: try another.
    await Promise.all([first, ...opened].map((f) => f.close()));
    const failed = rest.find((r) => r.status === "rejected");
    if (attempt >= 5) throw failed?.reason;
  }
}

import { createServer, type IncomingHttpHeaders } from "node:http";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered with. */
  status: number;
  /** performance.now() when the request had arrived whole. */
  at: number;
}

/**
 * A real HTTP server on 127.0.0.1 that takes webhook deliveries: each request is recorded and
 * answered with the status `answer` gives (from the path and how many came before to that path).
 */
export async function startReceiver(
  answer: (path: string, countBefore: number) => number = () => 200,
) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const path = req.url ?? "/";
      const status = answer(path, requests.filter((r) => r.path === path).length);
      requests.push({ path, headers: req.headers, body, status, at: performance.now() });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// HTTP load with autocannon: fixed concurrency for a fixed time, bounded in both.
import autocannon, { type Result } from "autocannon";
import { type Latency, latencyOf, nowMs } from "./stats.ts";

export interface Lane {
  /** Connections of this lane (one autocannon instance). */
  connections: number;
  /** The body of the next request. */
  body: () => string;
  /** Headers of the next request besides Content-Type (a device's token); asked after `body`. */
  headers?: () => Record<string, string>;
}

export interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  /** 2xx answers per second. */
  rps: number;
  latency: Latency;
  firstError?: string;
}

/**
 * POSTs to `url` from every lane at once for `seconds` (each lane's connections keep one
 * request in flight each). Latencies (ms, float) are those of answers with a status in
 * `expected` (2xx unless said otherwise).
 */
export async function post(
  url: string,
  lanes: Lane[],
  seconds: number,
  expected: (status: number) => boolean = (status) => status >= 200 && status < 300,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let firstError: string | undefined;
  const start = nowMs();
  const results = await Promise.all(
    lanes.map(
      (lane) =>
        new Promise<Result>((resolve, reject) => {
          const instance = autocannon(
            {
              url,
              connections: lane.connections,
              duration: seconds,
              timeout: 30,
              requests: [
                {
                  method: "POST",
                  headers: { "content-type": "application/json" },
                  setupRequest: (req) => ({
                    ...req,
                    body: lane.body(),
                    headers: { ...req.headers, ...lane.headers?.() },
                  }),
                },
              ],
            },
            (err, result) => (err ? reject(err) : resolve(result)),
          );
          instance.on(
            "response",
            (_client: unknown, status: number, _bytes: number, ms: number) => {
              if (expected(status)) {
                ok++;
                latencies.push(ms);
              } else non2xx++;
            },
          );
          instance.on("reqError", (err: Error) => {
            firstError ??= err.message;
          });
        }),
    ),
  );
  const elapsed = (nowMs() - start) / 1000;
  const errors = results.reduce((n, r) => n + r.errors, 0);
  return {
    ok,
    non2xx,
    errors,
    seconds: elapsed,
    rps: ok / elapsed,
    latency: latencyOf(latencies),
    firstError,
  };
}

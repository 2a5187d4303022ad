import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { config } from "../config.ts";

export interface PostResult {
  /** The receiver's status; undefined when it never answered. */
  status?: number;
  ok: boolean;
  error?: string;
}

let agents: { http: RequestFilteringHttpAgent; https: RequestFilteringHttpsAgent } | undefined;

/**
 * Agents that refuse to connect to anything but public addresses (and WEBHOOK_ALLOWED_NETWORKS),
 * checked on the addresses a name resolves to at connect time, so DNS cannot point a webhook
 * inward after it was accepted.
 */
function filteringAgents() {
  const options = { allowIPAddressList: config().WEBHOOK_ALLOWED_NETWORKS, keepAlive: true };
  agents ??= {
    http: new RequestFilteringHttpAgent(options),
    https: new RequestFilteringHttpsAgent(options),
  };
  return agents;
}

/**
 * POSTs a webhook's body with its headers. 2xx is delivered; anything else (a redirect too: none is
 * followed) or no answer within WEBHOOK_TIMEOUT_MS is a failure, with what went wrong. The
 * receiver's body is read and dropped: it is never stored or shown.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<PostResult> {
  const target = new URL(url);
  const https = target.protocol === "https:";
  const send = https ? httpsRequest : httpRequest;
  const timeoutMs = config().WEBHOOK_TIMEOUT_MS;
  return new Promise((resolve) => {
    const req = send(
      target,
      {
        method: "POST",
        agent: https ? filteringAgents().https : filteringAgents().http,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          const error = ok
            ? undefined
            : status >= 300 && status < 400
              ? `HTTP ${status}: redirects are not followed`
              : `HTTP ${status}`;
          resolve({ status, ok, error });
        });
        res.on("error", (err) =>
          resolve({ status: res.statusCode, ok: false, error: err.message }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ ok: false, error: err.message.slice(0, 300) }));
    req.end(body);
  });
}

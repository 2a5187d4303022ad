import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startReceiver } from "@/test/webhook-receiver.ts";

type Post = typeof import("./post-webhook.ts");

/** post-webhook.ts with these settings (a fresh configuration and agents). */
async function withSettings(env: Record<string, string>): Promise<Post> {
  vi.unstubAllEnvs();
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  vi.resetModules();
  return import("./post-webhook.ts");
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver((path) => (path === "/moved" ? 302 : 200));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await receiver.close();
});

describe("posting a webhook to a real server on this machine", () => {
  it("refuses loopback by default, by address and by a name that resolves to it (SSRF)", async () => {
    const { postWebhook } = await withSettings({ WEBHOOK_ALLOWED_NETWORKS: "" });
    const port = new URL(receiver.url).port;
    for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
      const result = await postWebhook(url, "{}", {});
      expect(result.ok, url).toBe(false);
      expect(result.error, url).toMatch(/not allowed/);
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it("delivers where WEBHOOK_ALLOWED_NETWORKS allows, and never follows a redirect", async () => {
    const { postWebhook } = await withSettings({ WEBHOOK_ALLOWED_NETWORKS: "127.0.0.1/32" });
    const ok = await postWebhook(`${receiver.url}/hook`, '{"x":1}', { "webhook-id": "msg_1" });
    expect(ok).toEqual({ status: 200, ok: true, error: undefined });
    expect(receiver.requests.at(-1)).toMatchObject({ path: "/hook", body: '{"x":1}' });
    expect(receiver.requests.at(-1)?.headers["webhook-id"]).toBe("msg_1");
    const moved = await postWebhook(`${receiver.url}/moved`, "{}", {});
    expect(moved).toMatchObject({
      ok: false,
      status: 302,
      error: "HTTP 302: redirects are not followed",
    });
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const { port } = silent.address() as { port: number };
    const { postWebhook } = await withSettings({
      WEBHOOK_ALLOWED_NETWORKS: "127.0.0.1",
      WEBHOOK_TIMEOUT_MS: "200",
    });
    const result = await postWebhook(`http://127.0.0.1:${port}/`, "{}", {});
    expect(result).toMatchObject({ ok: false, error: "no answer within 200 ms" });
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });
});

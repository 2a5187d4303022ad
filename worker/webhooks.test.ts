import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorApi, postData } from "@/test/http.ts";
import { startScratchStack } from "@/test/scratch-stack.ts";
import { startReceiver } from "@/test/webhook-receiver.ts";

// Webhooks from the real worker to a real HTTP receiver on this machine: a stack of its own,
// whose worker may call 127.0.0.1 (WEBHOOK_ALLOWED_NETWORKS) and retries quickly.

let stack: Awaited<ReturnType<typeof startScratchStack>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  // /flaky fails its first two deliveries; every other path takes them at once.
  receiver = await startReceiver((path, before) => (path === "/flaky" && before < 2 ? 500 : 204));
  stack = await startScratchStack("webhooks", {
    INGEST_AUTH: "open",
    WEBHOOK_ALLOWED_NETWORKS: "127.0.0.1/32",
    WEBHOOK_RETRY_BASE_MS: "200",
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const api = (method: string, path: string, body?: unknown) =>
  operatorApi(method, stack.web.url + path, body, { cookie: stack.admin });

/** The signature a receiver computes: HMAC-SHA256 of "<id>.<timestamp>.<body>" with the secret. */
function expectedSignature(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

describe("webhooks", () => {
  it("deliver a notification once per idempotency id, signed, after the receiver failed twice", async () => {
    const created = await api("POST", "/api/webhooks", {
      name: "on-call",
      url: `${receiver.url}/flaky`,
    });
    expect(created.status).toBe(201);
    const { webhook, secret } = created.json;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(webhook).toMatchObject({ format: "standard", rule_id: null, enabled: true });
    // The secret is shown once: never again through the API.
    const listed = await api("GET", "/api/webhooks");
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    expect(listed.json.webhooks[0]).not.toHaveProperty("secret");

    await postData(
      { device_id: "boiler-1", sensors: { temperature: 60 } },
      { base: stack.web.url },
    );
    const rule = await api("POST", "/api/alarm-rules", {
      name: "Boiler overheating",
      kind: "threshold",
      severity: "critical",
      device_id: "boiler-1",
      sensor_type: "temperature",
      condition: { op: "gt", value: 90 },
    });
    expect(rule.status).toBe(201);
    const slack = await api("POST", "/api/webhooks", {
      name: "chat",
      url: `${receiver.url}/slack`,
      format: "slack",
      rule_id: rule.json.rule.id,
    });
    expect(slack.status).toBe(201);

    await postData(
      { device_id: "boiler-1", sensors: { temperature: 95 } },
      { base: stack.web.url },
    );
    const flaky = () => receiver.requests.filter((r) => r.path === "/flaky");
    await expect.poll(() => flaky().length, { timeout: 15_000 }).toBe(3);
    await postData(
      { device_id: "boiler-1", sensors: { temperature: 70 } },
      { base: stack.web.url },
    );
    await expect.poll(() => flaky().length, { timeout: 15_000 }).toBe(4);
    await new Promise((r) => setTimeout(r, 1000)); // nothing more comes

    const got = flaky();
    expect(got.map((r) => r.status)).toEqual([500, 500, 204, 204]);
    const ids = got.map((r) => r.headers["webhook-id"]);
    // The raised notification tried three times under one id; the cleared one has its own.
    expect(ids[0]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(ids.slice(0, 3)).toEqual([ids[0], ids[0], ids[0]]);
    expect(ids[3]).not.toBe(ids[0]);
    // Once per idempotency id: each id was accepted exactly once.
    const accepted = got.filter((r) => r.status < 300).map((r) => r.headers["webhook-id"]);
    expect(new Set(accepted).size).toBe(accepted.length);

    const verifier = new Webhook(secret);
    for (const r of got) {
      const id = String(r.headers["webhook-id"]);
      const timestamp = String(r.headers["webhook-timestamp"]);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60);
      expect(r.headers["webhook-signature"]).toBe(expectedSignature(secret, id, timestamp, r.body));
      expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
      // Changing the body breaks the signature.
      expect(() =>
        verifier.verify(r.body.replace("95", "96"), r.headers as Record<string, string>),
      ).toThrow();
    }
    const bodies = got.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type)).toEqual([
      "alarm.raised",
      "alarm.raised",
      "alarm.raised",
      "alarm.cleared",
    ]);
    expect(bodies[0]).toEqual(bodies[2]); // the same message on every attempt
    expect(bodies[0].id).toBe(ids[0]);
    expect(bodies[0].data).toMatchObject({
      status: "active",
      severity: "critical",
      device_id: "boiler-1",
      sensor_type: "temperature",
      first_value: 95,
      rule_name: "Boiler overheating",
    });
    expect(bodies[3].data).toMatchObject({ id: bodies[0].data.id, status: "cleared" });

    // The Slack-compatible webhook of the rule: text and a coloured attachment, signed too.
    const chat = receiver.requests.filter((r) => r.path === "/slack");
    expect(chat).toHaveLength(2);
    const message = JSON.parse(chat[0].body);
    expect(message.text).toBe(
      "[critical] raised: Boiler overheating on boiler-1 / temperature = 95",
    );
    expect(message.attachments[0].color).toBe("#d1242f");
    expect(() =>
      verifier.verify(chat[0].body, chat[0].headers as Record<string, string>),
    ).toThrow();
    expect(() =>
      new Webhook(slack.json.secret).verify(
        chat[0].body,
        chat[0].headers as Record<string, string>,
      ),
    ).not.toThrow();

    // The delivery log: the raised notification delivered on the third attempt.
    const log = await api("GET", `/api/webhooks/${webhook.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.json.deliveries).toHaveLength(2);
    expect(log.json.deliveries[1]).toMatchObject({
      message_id: ids[0],
      event: "alarm.raised",
      status: "delivered",
      attempts: 3,
      last_status: 204,
      last_error: null,
    });
    expect(log.json.deliveries[0]).toMatchObject({ event: "alarm.cleared", attempts: 1 });
  });

  it("sends acknowledgements, and a rotated secret signs from then on", async () => {
    const created = await api("POST", "/api/webhooks", {
      name: "acks",
      url: `${receiver.url}/acks`,
    });
    const rotated = await api("POST", `/api/webhooks/${created.json.webhook.id}/secret`);
    expect(rotated.status).toBe(201);
    expect(rotated.json.secret).not.toBe(created.json.secret);

    await postData(
      { device_id: "boiler-1", sensors: { temperature: 99 } },
      { base: stack.web.url },
    );
    const acks = () => receiver.requests.filter((r) => r.path === "/acks");
    await expect.poll(() => acks().length, { timeout: 10_000 }).toBe(1);
    const alarm = JSON.parse(acks()[0].body).data;
    const ack = await api("POST", `/api/alarms/${alarm.id}/ack`, { note: "seen" });
    expect(ack.status).toBe(200);
    await expect.poll(() => acks().length, { timeout: 10_000 }).toBe(2);
    const body = JSON.parse(acks()[1].body);
    expect(body).toMatchObject({
      type: "alarm.acknowledged",
      data: { id: alarm.id, acknowledged_by: "admin", ack_note: "seen" },
    });
    const verify = (secret: string) => () =>
      new Webhook(secret).verify(acks()[1].body, acks()[1].headers as Record<string, string>);
    expect(verify(rotated.json.secret)).not.toThrow();
    expect(verify(created.json.secret)).toThrow();
  });
});

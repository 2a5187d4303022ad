import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./retry.ts";
import { messageBody, messageHeaders } from "./webhook-message.ts";
import { addressAllowed } from "./webhook-url.ts";
import type { WireAlarm } from "./wire.ts";

const alarm = {
  id: 7,
  rule_name: "<!channel> & co",
  severity: "major",
  status: "active",
  device_id: "gh-1",
  sensor_type: "temperature",
  last_value: 31.5,
  started_ts: "2026-12-01T10:00:00.000Z",
  count: 3,
} as WireAlarm;

describe("webhook messages", () => {
  it("are signed as Standard Webhooks say: HMAC-SHA256 of id.timestamp.body", () => {
    const secret = `whsec_${Buffer.from("0123456789abcdef0123").toString("base64")}`;
    const headers = messageHeaders(secret, "msg_1", '{"a":1}', new Date(1_700_000_000_500));
    expect(headers["webhook-id"]).toBe("msg_1");
    expect(headers["webhook-timestamp"]).toBe("1700000000");
    const mac = createHmac("sha256", "0123456789abcdef0123")
      .update('msg_1.1700000000.{"a":1}')
      .digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${mac}`);
  });

  it("have a standard body and a Slack one, whose text cannot ping or link", () => {
    const at = new Date("2026-12-01T10:00:01.000Z");
    const base = { messageId: "msg_1", event: "alarm.raised", alarm, createdAt: at };
    expect(JSON.parse(messageBody({ ...base, format: "standard" }))).toEqual({
      id: "msg_1",
      type: "alarm.raised",
      timestamp: "2026-12-01T10:00:01.000Z",
      data: alarm,
    });
    const slack = JSON.parse(messageBody({ ...base, format: "slack" }));
    expect(slack.text).toBe(
      "[major] raised: &lt;!channel&gt; &amp; co on gh-1 / temperature = 31.5",
    );
    expect(slack.attachments[0].color).toBe("#e36209");
  });
});

describe("retries", () => {
  it("back off exponentially from the base, with jitter, up to an hour", () => {
    expect(retryDelayMs(1, 1000, 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, 1)).toBe(8000);
    expect(retryDelayMs(30, 1000, 1)).toBe(3_600_000);
  });
});

describe("webhook addresses", () => {
  it("are public unless allowed: no loopback, private, link-local or mapped addresses", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.0.1",
      "172.16.5.4",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "fe80::1",
      "0.0.0.0",
      "100.64.0.1",
      "::ffff:127.0.0.1",
    ])
      expect(addressAllowed(a, []), a).toBe(false);
    for (const a of ["93.184.216.34", "2606:4700::1111"])
      expect(addressAllowed(a, []), a).toBe(true);
    expect(addressAllowed("10.0.5.7", ["10.0.5.0/24"])).toBe(true);
    expect(addressAllowed("10.0.6.7", ["10.0.5.0/24"])).toBe(false);
    expect(addressAllowed("127.0.0.1", ["127.0.0.1"])).toBe(true);
  });
});

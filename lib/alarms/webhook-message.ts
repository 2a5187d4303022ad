import { Webhook } from "standardwebhooks";
import { SEVERITY_COLOURS } from "./colours.ts";
import { describeAlarm } from "./describe.ts";
import type { WireAlarm } from "./wire.ts";

// What a webhook receives. "standard": a JSON body signed as the Standard Webhooks specification
// says (webhook-id: the idempotency id, the same on every attempt; webhook-timestamp; and
// webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" with the secret>).
// "slack": Slack's incoming-webhook shape (text and a coloured attachment), with the same headers.

export interface OutgoingMessage {
  messageId: string;
  event: string;
  alarm: WireAlarm;
  /** When the change happened (the outbox row's creation). */
  createdAt: Date;
  format: "standard" | "slack";
}

/** Slack reads &, < and > as markup (<!channel> pings everyone): escape them. */
const slackText = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export function messageBody(m: OutgoingMessage): string {
  if (m.format === "standard") {
    return JSON.stringify({
      id: m.messageId,
      type: m.event,
      timestamp: m.createdAt.toISOString(),
      data: m.alarm,
    });
  }
  const a = m.alarm;
  const what = m.event.replace("alarm.", "");
  const value = a.last_value === null ? "" : ` = ${JSON.stringify(a.last_value)}`;
  return JSON.stringify({
    text: slackText(`[${a.severity}] ${what}: ${describeAlarm(a)}${value}`),
    attachments: [
      {
        color: SEVERITY_COLOURS[a.severity],
        fields: [
          { title: "Rule", value: slackText(a.rule_name), short: true },
          { title: "Status", value: a.status, short: true },
          { title: "Since", value: a.started_ts, short: true },
          { title: "Count", value: String(a.count), short: true },
        ],
        footer: `BoCloud alarm ${a.id} · ${m.messageId}`,
      },
    ],
  });
}

/** The signed headers of one attempt (the timestamp is the attempt's). */
export function messageHeaders(
  secret: string,
  messageId: string,
  body: string,
  now = new Date(),
): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "BoCloud-Webhooks/1",
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, now, body),
  };
}

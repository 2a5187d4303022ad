import type { WireAlarm } from "../alarms/wire.ts";
import { prisma } from "../db.ts";

// The worker's side of the webhook outbox (webhook_deliveries): what is due, and how an attempt went.

export interface DueDelivery {
  id: bigint;
  messageId: string;
  event: string;
  alarm: WireAlarm;
  attempts: number;
  createdAt: Date;
  url: string;
  secret: string;
  format: "standard" | "slack";
}

/**
 * The deliveries to try now: of each enabled webhook, its oldest pending one, if it is due. One
 * webhook's notifications go out in the order they were written, one at a time.
 */
export async function dueDeliveries(limit: number): Promise<DueDelivery[]> {
  const rows = await prisma.$queryRaw<
    {
      id: bigint;
      message_id: string;
      event: string;
      payload: WireAlarm;
      attempts: number;
      created_at: Date;
      url: string;
      secret: string;
      format: "standard" | "slack";
    }[]
  >`
    SELECT h.id, h.message_id, h.event, h.payload, h.attempts, h.created_at, w.url, w.secret,
           w.format::text AS format
    FROM (SELECT DISTINCT ON (webhook_id) * FROM webhook_deliveries
          WHERE status = 'pending' ORDER BY webhook_id, id) h
    JOIN webhooks w ON w.id = h.webhook_id AND w.enabled
    WHERE h.next_attempt_at <= now()
    ORDER BY h.next_attempt_at
    LIMIT ${limit}`;
  return rows.map((r) => ({
    id: r.id,
    messageId: r.message_id,
    event: r.event,
    alarm: r.payload,
    attempts: r.attempts,
    createdAt: r.created_at,
    url: r.url,
    secret: r.secret,
    format: r.format,
  }));
}

/**
 * Records an attempt: delivered; or failed for now, tried again after `retryInMs`; or failed for
 * good (`retryInMs` null).
 */
export async function recordAttempt(
  id: bigint,
  result: { ok: boolean; status?: number; error?: string },
  retryInMs: number | null,
): Promise<void> {
  const status = result.ok ? "delivered" : retryInMs === null ? "failed" : "pending";
  await prisma.$executeRaw`
    UPDATE webhook_deliveries
    SET status = ${status}::"DeliveryStatus", attempts = attempts + 1, last_attempt_at = now(),
        last_status = ${result.status ?? null}::int, last_error = ${result.error ?? null},
        delivered_at = CASE WHEN ${result.ok} THEN now() END,
        next_attempt_at = now() + make_interval(secs => ${(retryInMs ?? 0) / 1000})
    WHERE id = ${id}`;
}

import type { WireAlarm } from "../alarms/wire.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/** An alarm change that webhooks are told of. */
export interface Notification {
  event: "alarm.raised" | "alarm.acknowledged" | "alarm.cleared";
  alarm: WireAlarm;
}

/**
 * Writes one outbox row per notification and enabled webhook that takes it (every rule's, or the
 * alarm's rule's), in the caller's transaction: the notification exists exactly when the change
 * does. Each row has its own idempotency id; rows are numbered in the order given, which is the
 * order a webhook receives them.
 */
export async function enqueueDeliveries(
  tx: Prisma.TransactionClient,
  notifications: readonly Notification[],
): Promise<number> {
  if (notifications.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO webhook_deliveries (webhook_id, alarm_id, message_id, event, payload)
    SELECT w.id, n.alarm_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), n.event, n.payload
    FROM unnest(
      ${notifications.map((n) => n.alarm.id)}::bigint[],
      ${notifications.map((n) => n.alarm.rule_id)}::bigint[],
      ${notifications.map((n) => n.event)}::text[],
      ${notifications.map((n) => JSON.stringify(n.alarm))}::jsonb[]
    ) WITH ORDINALITY AS n(alarm_id, rule_id, event, payload, ord)
    JOIN webhooks w ON w.enabled AND (w.rule_id IS NULL OR w.rule_id = n.rule_id)
    ORDER BY n.ord, w.id`;
}

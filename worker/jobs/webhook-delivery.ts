import { notifies } from "../../lib/alarms/alarm-events.ts";
import { postWebhook } from "../../lib/alarms/post-webhook.ts";
import { retryDelayMs } from "../../lib/alarms/retry.ts";
import { messageBody, messageHeaders } from "../../lib/alarms/webhook-message.ts";
import { config } from "../../lib/config.ts";
import { subscribeLive } from "../../lib/live-subscription.ts";
import { log } from "../../lib/log.ts";
import {
  type DueDelivery,
  dueDeliveries,
  recordAttempt,
} from "../../lib/queries/webhook-outbox.ts";
import { Wakeup } from "../../lib/wakeup.ts";
import type { Job } from "../job.ts";

/** Webhooks tried at once (one delivery each). */
const PARALLEL = 20;
/** How often the outbox is looked at when no alarm event woke the job. */
const POLL_MS = 500;

async function deliver(d: DueDelivery): Promise<void> {
  const body = messageBody(d);
  const result = await postWebhook(d.url, body, messageHeaders(d.secret, d.messageId, body));
  const attempts = d.attempts + 1;
  const { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_BASE_MS } = config();
  const retryInMs =
    result.ok || attempts >= WEBHOOK_MAX_ATTEMPTS
      ? null
      : retryDelayMs(attempts, WEBHOOK_RETRY_BASE_MS);
  await recordAttempt(d.id, result, retryInMs);
  if (!result.ok) {
    log.info(
      { delivery: Number(d.id), attempts, error: result.error, retryInMs },
      retryInMs === null
        ? "webhook delivery failed for good"
        : "webhook delivery failed; will retry",
    );
  }
}

/** Sends what is due in the outbox; the number of attempts made. */
export async function deliverDue(): Promise<number> {
  const due = await dueDeliveries(PARALLEL);
  await Promise.all(due.map(deliver));
  return due.length;
}

/**
 * Webhook delivery as a worker job: at least once, from the outbox in PostgreSQL. A worker
 * killed after a receiver answered but before the answer was recorded sends the same message
 * (same webhook-id) again: receivers deduplicate on it.
 */
export function webhookDeliveryJob(): Job {
  return {
    name: "webhooks",
    lockId: 5,
    intervalMs: 1000,
    firstDelayMs: 0,
    async run(signal) {
      const wakeup = new Wakeup();
      const live = subscribeLive({
        events: (events) => {
          if (events.some((e) => e.type === "alarm" && notifies(e))) wakeup.wake();
        },
      });
      try {
        while (!signal.aborted) {
          // A webhook's next notification goes as soon as the one before it was answered.
          if ((await deliverDue()) === 0) await wakeup.wait(POLL_MS, signal);
        }
      } finally {
        live.close();
      }
    },
  };
}

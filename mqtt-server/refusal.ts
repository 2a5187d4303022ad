import { describeError, type ErrorCode } from "../lib/api/errors.ts";

/** Why a publish was not taken, and whether the device should send it again. */
export interface Refusal {
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
  /**
   * Sending it again may work (rate limited, the database away, an error of ours): the
   * connection is closed without a PUBACK, so the device sends it again once reconnected.
   * Otherwise (bad payload, not allowed) it is acknowledged and dropped: sent again it would
   * be refused again, for ever.
   */
  close: boolean;
}

const RETRYABLE = new Set<ErrorCode>(["rate_limited", "service_unavailable", "internal_error"]);

export function refusal(err: unknown): Refusal {
  const described = describeError(err);
  return { ...described, close: RETRYABLE.has(described.code) };
}

/** The message on an error topic telling a device why its publish of `packet.topic` was refused. */
export function errorMessage(
  packet: { topic: string | null; messageId?: number },
  refusal: Omit<Refusal, "close">,
): string {
  return JSON.stringify({
    topic: packet.topic,
    ...(packet.messageId === undefined ? {} : { message_id: packet.messageId }),
    error: { code: refusal.code, message: refusal.message },
    ...(refusal.retryAfterSeconds === undefined
      ? {}
      : { retry_after_seconds: refusal.retryAfterSeconds }),
  });
}

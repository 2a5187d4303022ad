import { config } from "../config.ts";
import { DomainError } from "../errors.ts";
import { takePendingCommands } from "../queries/take-pending-commands.ts";
import { POLL_FALLBACK_MS, waitForQueuedCommand } from "./waiter.ts";
import type { WireCommand } from "./wire.ts";

/** Retry-After for a device over its long-poll cap. */
const RETRY_AFTER_CAP_S = 5;

/** Long-polls open in this process, per device. Each one reads the database every second. */
const openPolls = new Map<string, number>();

/**
 * A device's long-poll: its pending commands (marked delivered) at once, or as soon as one is
 * queued, or none after `waitMs` or when `signal` aborts (the device went away). A device
 * holds at most LONG_POLLS_PER_DEVICE of them at once; one more is refused (429).
 */
export async function pollCommands(
  deviceId: string,
  opts: { waitMs: number; redeliver?: boolean; signal: AbortSignal },
): Promise<WireCommand[]> {
  const max = config().LONG_POLLS_PER_DEVICE;
  const open = openPolls.get(deviceId) ?? 0;
  if (open >= max) {
    throw new DomainError(
      "rate_limited",
      `Device "${deviceId}" has ${max} long-polls open already; wait for one to answer.`,
      RETRY_AFTER_CAP_S,
    );
  }
  openPolls.set(deviceId, open + 1);
  try {
    return await waitForCommands(deviceId, opts);
  } finally {
    const left = (openPolls.get(deviceId) ?? 1) - 1;
    if (left > 0) openPolls.set(deviceId, left);
    else openPolls.delete(deviceId);
  }
}

async function waitForCommands(
  deviceId: string,
  opts: { waitMs: number; redeliver?: boolean; signal: AbortSignal },
): Promise<WireCommand[]> {
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    const commands = await takePendingCommands([deviceId], { redeliver: opts.redeliver });
    const left = deadline - Date.now();
    if (commands.length > 0 || left <= 0 || opts.signal.aborted) return commands;
    await waitForQueuedCommand(deviceId, Math.min(left, POLL_FALLBACK_MS), opts.signal);
  }
}

import { takePendingCommands } from "../queries/take-pending-commands.ts";
import { POLL_FALLBACK_MS, waitForQueuedCommand } from "./waiter.ts";
import type { WireCommand } from "./wire.ts";

/**
 * A device's long-poll: its pending commands (marked delivered) at once, or as soon as one is
 * queued, or none after `waitMs` or when `signal` aborts (the device went away).
 */
export async function pollCommands(
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

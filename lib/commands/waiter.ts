import { EventEmitter } from "node:events";
import { devicesWithQueuedCommands } from "../events.ts";
import { subscribeLive } from "../live-subscription.ts";

/** How often a waiting long-poll looks at the database anyway (in case Redis is down). */
export const POLL_FALLBACK_MS = 1000;

const queued = new EventEmitter().setMaxListeners(0);
let subscribed = false;

/** One subscription per web process, shared by every waiting long-poll. */
function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribeLive({
    events: (events) => {
      for (const deviceId of devicesWithQueuedCommands(events)) queued.emit(deviceId);
    },
  });
}

/**
 * Resolves when a command is queued for the device, after `ms`, or when `signal` aborts,
 * whichever comes first. Leaves no listener or timer behind.
 */
export function waitForQueuedCommand(
  deviceId: string,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  ensureSubscribed();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      queued.off(deviceId, done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    queued.on(deviceId, done);
    signal.addEventListener("abort", done);
  });
}

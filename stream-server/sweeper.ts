import { log } from "../lib/log.ts";
import { publishEvents } from "../lib/publish.ts";
import { expireCommands } from "../lib/queries/commands.ts";
import { markOfflineDevices } from "../lib/queries/mark-offline-devices.ts";

const SWEEP_MS = 1000;

/**
 * Once a second: devices silent past their timeout go offline, commands past their time to
 * live expire. Each change is published on Redis, so every sidecar's clients see it (the
 * UPDATEs return each change once, however many sidecars sweep). Returns a stop function.
 */
export function startSweeper(): () => void {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const [offline, expired] = await Promise.all([markOfflineDevices(), expireCommands()]);
      await publishEvents([
        ...offline,
        ...expired.map((command) => ({ type: "command" as const, command })),
      ]);
    } catch (err) {
      log.warn({ err: String(err) }, "sweep failed");
    } finally {
      running = false;
    }
  }, SWEEP_MS);
  return () => clearInterval(timer);
}

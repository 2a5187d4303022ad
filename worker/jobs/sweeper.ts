import { publishCommands, publishEvents } from "../../lib/publish.ts";
import { expireCommands } from "../../lib/queries/commands.ts";
import { markOfflineDevices } from "../../lib/queries/mark-offline-devices.ts";
import type { Job } from "../job.ts";

/**
 * Once a second: devices silent past their timeout go offline, commands past their time to
 * live expire. Each change is published on Redis for every stream's clients.
 */
export const sweeper: Job = {
  name: "sweeper",
  lockId: 1,
  intervalMs: 1000,
  firstDelayMs: 0,
  async run() {
    const [offline, expired] = await Promise.all([markOfflineDevices(), expireCommands()]);
    await Promise.all([publishEvents(offline), publishCommands(expired)]);
  },
};

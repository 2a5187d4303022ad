import { publishCommands } from "../publish.ts";
import { takePendingCommands } from "../queries/take-pending-commands.ts";
import type { WireCommand } from "./wire.ts";

/**
 * The devices' pending commands, marked delivered and told to live viewers, for a transport to
 * send now (`redeliver`: also those delivered before and never answered).
 */
export async function takeForDelivery(
  deviceIds: string[],
  opts: { redeliver?: boolean } = {},
): Promise<WireCommand[]> {
  if (deviceIds.length === 0) return [];
  const taken = await takePendingCommands(deviceIds, opts);
  if (taken.length > 0) await publishCommands(taken);
  return taken;
}

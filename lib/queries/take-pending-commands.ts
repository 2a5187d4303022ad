import {
  COMMAND_COLUMNS,
  type CommandRow,
  toWireCommand,
  type WireCommand,
} from "../commands/wire.ts";
import type { prisma } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";

type Db = Pick<typeof prisma, "$queryRaw">;

/**
 * Marks the devices' queued, unexpired commands delivered and returns them, oldest first.
 * The row locks of the UPDATE make each command delivered once, however many polls race;
 * with `redeliver`, commands delivered but never acknowledged are returned again.
 */
export async function takePendingCommands(
  db: Db,
  deviceIds: string[],
  opts: { redeliver?: boolean } = {},
): Promise<WireCommand[]> {
  const statuses = opts.redeliver ? ["queued", "delivered"] : ["queued"];
  const rows = await db.$queryRaw<CommandRow[]>`
    UPDATE commands c SET status = 'delivered', delivered_at = COALESCE(c.delivered_at, now())
    FROM devices d
    WHERE c.device_id = d.id AND d.device_id = ANY(${deviceIds}::text[])
      AND c.status::text = ANY(${statuses}::text[])
      AND (c.expires_at IS NULL OR c.expires_at > now())
    RETURNING ${Prisma.raw(COMMAND_COLUMNS)}`;
  return rows.map(toWireCommand).sort((a, b) => a.id - b.id);
}

import { type CommandRow, toWireCommand, type WireCommand } from "../commands/wire.ts";
import { prisma } from "../db.ts";

/**
 * Marks the devices' queued, unexpired commands delivered and returns them, oldest first
 * (the SQL function bocloud_take_commands, also used by bocloud_store). Its row
 * locks make each command delivered once, however many polls race; with `redeliver`,
 * commands delivered but never acknowledged are returned again.
 */
export async function takePendingCommands(
  deviceIds: string[],
  opts: { redeliver?: boolean } = {},
): Promise<WireCommand[]> {
  const rows = await prisma.$queryRaw<CommandRow[]>`
    SELECT * FROM bocloud_take_commands(${deviceIds}::text[], ${opts.redeliver ?? false})`;
  return rows.map(toWireCommand).sort((a, b) => a.id - b.id);
}

/** A command row as bocloud_store returns it (JSON: timestamps as strings). */
export type CommandJson = Omit<
  CommandRow,
  "id" | "created_at" | "expires_at" | "delivered_at" | "completed_at"
> & {
  id: number;
  created_at: string;
  expires_at: string | null;
  delivered_at: string | null;
  completed_at: string | null;
};

export function commandFromJson(c: CommandJson): WireCommand {
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return toWireCommand({
    ...c,
    id: BigInt(c.id),
    created_at: new Date(c.created_at),
    expires_at: date(c.expires_at),
    delivered_at: date(c.delivered_at),
    completed_at: date(c.completed_at),
  });
}

import {
  COMMAND_COLUMNS,
  type CommandRow,
  toWireCommand,
  type WireCommand,
} from "../commands/wire.ts";
import { prisma } from "../db.ts";
import { conflict, notFound } from "../errors.ts";
import { Prisma } from "../generated/prisma/client.ts";

// Commands to devices. Their lifecycle: queued → delivered → succeeded / failed, or expired.
// Taking them for delivery is lib/queries/take-pending-commands.ts.

const columns = Prisma.raw(COMMAND_COLUMNS);

export async function queueCommand(
  deviceId: string,
  command: { name: string; params: unknown; ttl_seconds?: number },
): Promise<WireCommand> {
  const expiresAt = command.ttl_seconds ? new Date(Date.now() + command.ttl_seconds * 1000) : null;
  const [row] = await prisma.$queryRaw<CommandRow[]>`
    WITH inserted AS (
      INSERT INTO commands (device_key, name, params, expires_at)
      SELECT id, ${command.name}, ${JSON.stringify(command.params ?? {})}::jsonb, ${expiresAt}
      FROM devices WHERE device_id = ${deviceId}
      RETURNING *
    )
    SELECT ${columns} FROM inserted c JOIN devices d ON d.id = c.device_key`;
  if (!row) throw notFound(`There is no device "${deviceId}".`);
  return toWireCommand(row);
}

/** A device's answer to a delivered command. */
export async function acknowledgeCommand(
  deviceId: string,
  commandId: bigint,
  ack: { status: "succeeded" | "failed"; result?: unknown },
): Promise<WireCommand> {
  const [row] = await prisma.$queryRaw<CommandRow[]>`
    UPDATE commands c
    SET status = ${ack.status}::"CommandStatus", result = ${JSON.stringify(ack.result ?? null)}::jsonb,
        completed_at = now(), delivered_at = COALESCE(c.delivered_at, now())
    FROM devices d
    WHERE c.id = ${commandId} AND c.device_key = d.id AND d.device_id = ${deviceId}
      AND c.status IN ('queued', 'delivered')
    RETURNING ${columns}`;
  if (row) return toWireCommand(row);
  const [existing] = await prisma.$queryRaw<{ status: string }[]>`
    SELECT c.status::text FROM commands c JOIN devices d ON d.id = c.device_key
    WHERE c.id = ${commandId} AND d.device_id = ${deviceId}`;
  if (!existing) throw notFound(`Device "${deviceId}" has no command ${commandId}.`);
  throw conflict(`Command ${commandId} is ${existing.status} already.`);
}

/** The newest commands, of one device or all. */
export async function listCommands(opts: {
  deviceId?: string;
  limit: number;
}): Promise<WireCommand[]> {
  const rows = await prisma.$queryRaw<CommandRow[]>`
    SELECT ${columns} FROM commands c JOIN devices d ON d.id = c.device_key
    WHERE ${opts.deviceId ?? null}::text IS NULL OR d.device_id = ${opts.deviceId ?? null}::text
    ORDER BY c.id DESC LIMIT ${opts.limit}`;
  return rows.map(toWireCommand);
}

/** Marks commands whose time to live has passed expired, and returns them. */
export async function expireCommands(): Promise<WireCommand[]> {
  const rows = await prisma.$queryRaw<CommandRow[]>`
    UPDATE commands c SET status = 'expired', completed_at = now()
    FROM devices d
    WHERE c.device_key = d.id AND c.status IN ('queued', 'delivered') AND c.expires_at <= now()
    RETURNING ${columns}`;
  return rows.map(toWireCommand);
}

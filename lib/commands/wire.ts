import type { CommandStatus } from "../generated/prisma/enums.ts";

/** A command as the API returns it and the stream sends it. */
export interface WireCommand {
  id: number;
  device_id: string;
  name: string;
  params: unknown;
  status: CommandStatus;
  result: unknown;
  created_at: string;
  expires_at: string | null;
  delivered_at: string | null;
  completed_at: string | null;
}

export interface CommandRow {
  id: bigint;
  device_id: string;
  name: string;
  params: unknown;
  status: CommandStatus;
  result: unknown;
  created_at: Date;
  expires_at: Date | null;
  delivered_at: Date | null;
  completed_at: Date | null;
}

export function toWireCommand(row: CommandRow): WireCommand {
  return {
    id: Number(row.id),
    device_id: row.device_id,
    name: row.name,
    params: row.params,
    status: row.status,
    result: row.result ?? null,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    delivered_at: row.delivered_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

/** The columns of a CommandRow from `commands c JOIN devices d`. */
export const COMMAND_COLUMNS = `c.id, d.device_id, c.name, c.params, c.status, c.result,
  c.created_at, c.expires_at, c.delivered_at, c.completed_at`;

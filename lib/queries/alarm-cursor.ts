import type { Prisma } from "../generated/prisma/client.ts";

// The alarm evaluator's one row (alarm_cursor): where it is in the sequence of readings, and a
// count of the operators' changes it must reload. Whoever changes either holds the row's lock to
// the end of the transaction, so the evaluator and an operator's change never cross.

export interface AlarmCursor {
  lastReadingId: number;
  changes: number;
}

/** Locks the row for the rest of the transaction and reads it. */
export async function lockAlarmCursor(tx: Prisma.TransactionClient): Promise<AlarmCursor> {
  const [row] = await tx.$queryRaw<{ last_reading_id: bigint; changes: bigint }[]>`
    SELECT last_reading_id, changes FROM alarm_cursor WHERE id = 1 FOR UPDATE`;
  return { lastReadingId: Number(row.last_reading_id), changes: Number(row.changes) };
}

/** The evaluator has evaluated every reading up to this id. */
export async function advanceAlarmCursor(
  tx: Prisma.TransactionClient,
  lastReadingId: number,
): Promise<void> {
  await tx.$executeRaw`UPDATE alarm_cursor SET last_reading_id = ${lastReadingId} WHERE id = 1`;
}

/**
 * An operator changed rules or cleared an alarm by hand: the evaluator reloads before its next
 * batch. Call it first in the transaction, so the change waits for a batch in progress.
 */
export async function recordAlarmChange(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`UPDATE alarm_cursor SET changes = changes + 1 WHERE id = 1`;
}

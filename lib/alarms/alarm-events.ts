import type { AlarmEvent } from "../events.ts";
import type { Notification } from "../queries/enqueue-deliveries.ts";
import type { AlarmChange } from "./evaluate-batch.ts";
import { asRaised, type WireAlarm } from "./wire.ts";

/**
 * The stream's events for a batch's alarm changes (each with its alarm as stored): a new alarm
 * is raised (and, when the batch also cleared it, cleared), a known one cleared or updated.
 */
export function batchEvents(
  changes: readonly AlarmChange[],
  stored: readonly WireAlarm[],
): AlarmEvent[] {
  return changes.flatMap((c, i): AlarmEvent[] => {
    const alarm = stored[i];
    const cleared: AlarmEvent[] =
      c.clearedTs === null ? [] : [{ type: "alarm", change: "cleared", alarm }];
    if (c.raised) return [{ type: "alarm", change: "raised", alarm: asRaised(alarm) }, ...cleared];
    return cleared.length > 0 ? cleared : [{ type: "alarm", change: "updated", alarm }];
  });
}

/** Whether webhooks are told of a change: raised, acknowledged and cleared; never the repeats. */
export const notifies = (
  e: AlarmEvent,
): e is AlarmEvent & { change: Exclude<AlarmEvent["change"], "updated"> } => e.change !== "updated";

/** The webhook notifications of a batch of alarm events. */
export function notificationsOf(events: readonly AlarmEvent[]): Notification[] {
  return events.flatMap((e) =>
    notifies(e) ? [{ event: `alarm.${e.change}` as const, alarm: e.alarm }] : [],
  );
}

import type { AlarmChangeKind, WireAlarm } from "./alarms/wire.ts";
import type { WireCommand } from "./commands/wire.ts";

/** A device went online (it posted) or offline (silent past its timeout). */
export interface StatusEvent {
  type: "status";
  device_id: string;
  status: "online" | "offline";
  last_seen_at: string | null;
}

/** A command was queued, delivered, acknowledged or expired. */
export interface CommandEvent {
  type: "command";
  command: WireCommand;
}

/** An alarm was raised, counted again, acknowledged or cleared. */
export interface AlarmEvent {
  type: "alarm";
  change: AlarmChangeKind;
  alarm: WireAlarm;
}

/** What goes out on the stream besides readings: no id, since it is not replayed. */
export type LiveEvent = StatusEvent | CommandEvent | AlarmEvent;

export function eventDeviceId(event: LiveEvent): string {
  if (event.type === "alarm") return event.alarm.device_id;
  return event.type === "status" ? event.device_id : event.command.device_id;
}

/** A device's status change; `lastSeen` as the database gave it (a Date or an ISO string). */
export function statusEvent(
  deviceId: string,
  status: StatusEvent["status"],
  lastSeen: Date | string | null,
): StatusEvent {
  return {
    type: "status",
    device_id: deviceId,
    status,
    last_seen_at: lastSeen === null ? null : new Date(lastSeen).toISOString(),
  };
}

/** The devices the events tell of a command queued for. */
export function devicesWithQueuedCommands(events: LiveEvent[]): Set<string> {
  const devices = new Set<string>();
  for (const e of events)
    if (e.type === "command" && e.command.status === "queued") devices.add(e.command.device_id);
  return devices;
}

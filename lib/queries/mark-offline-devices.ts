import { config } from "../config.ts";
import { prisma } from "../db.ts";
import { type StatusEvent, statusEvent } from "../events.ts";

/**
 * Marks online devices that have been silent past their timeout offline, and returns the
 * changes. The WHERE is checked again under each row's lock, so a device that posts at the
 * same moment stays online, and each change is reported once.
 * A device an MQTT connection holds (`connected_until` ahead) stays online however silent;
 * one whose connection's lease ran out (its mqtt process died) goes offline at once.
 */
export async function markOfflineDevices(): Promise<StatusEvent[]> {
  const defaultSeconds = config().DEVICE_OFFLINE_AFTER_SECONDS;
  const rows = await prisma.$queryRaw<{ device_id: string; last_seen_at: Date | null }[]>`
    UPDATE devices SET status = 'offline', connected_until = NULL
    WHERE status = 'online'
      AND (connected_until IS NULL OR connected_until < now())
      AND (connected_until < now()
           OR last_seen_at IS NULL
           OR last_seen_at < now() - make_interval(secs => COALESCE(offline_after_seconds, ${defaultSeconds})))
    RETURNING device_id, last_seen_at`;
  return rows.map((r) => statusEvent(r.device_id, "offline", r.last_seen_at));
}

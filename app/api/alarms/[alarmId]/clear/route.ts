import { alarmNoteSchema, alarmParams } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { publishEvents } from "@/lib/publish.ts";
import { clearAlarm } from "@/lib/queries/change-alarm.ts";

/** POST /api/alarms/<id>/clear {"note"?} — an admin clears an open alarm by hand. */
export const POST = route(
  { access: "admin", params: alarmParams, body: alarmNoteSchema },
  async ({ params, body, operator }) => {
    const event = await clearAlarm(params.alarmId, operator.username, body.note);
    await publishEvents([event]);
    return Response.json({ alarm: event.alarm });
  },
);

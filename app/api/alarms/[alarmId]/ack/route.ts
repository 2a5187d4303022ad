import { alarmNoteSchema, alarmParams } from "@/lib/alarms/schemas.ts";
import { route } from "@/lib/api/route.ts";
import { publishEvents } from "@/lib/publish.ts";
import { acknowledgeAlarm } from "@/lib/queries/change-alarm.ts";

/** POST /api/alarms/<id>/ack {"note"?} — any operator (viewers too) acknowledges an active alarm. */
export const POST = route(
  { access: "operator", params: alarmParams, body: alarmNoteSchema },
  async ({ params, body, operator }) => {
    const event = await acknowledgeAlarm(params.alarmId, operator.username, body.note);
    await publishEvents([event]);
    return Response.json({ alarm: event.alarm });
  },
);

import { decideSilence } from "../../lib/alarms/silence.ts";
import { publishEvents } from "../../lib/publish.ts";
import { silenceSubjects } from "../../lib/queries/silence-subjects.ts";
import {
  type SilenceClear,
  type SilenceRaise,
  storeSilenceChanges,
} from "../../lib/queries/store-silence-changes.ts";
import type { Job } from "../job.ts";

/** One pass: every subject of the silence rules, raised when silent too long, cleared when it speaks. */
export async function checkSilence(now = Date.now()): Promise<number> {
  const raises: SilenceRaise[] = [];
  const clears: SilenceClear[] = [];
  for (const subject of await silenceSubjects()) {
    const decision = decideSilence(subject, now);
    if (decision && "raise" in decision) raises.push({ ...subject, startedTs: decision.startedTs });
    else if (decision && subject.openId !== null)
      clears.push({ alarmId: subject.openId, clearedTs: decision.clearedTs });
  }
  const events = await storeSilenceChanges(raises, clears);
  await publishEvents(events);
  return events.length;
}

/** "No reading for D", checked every second. */
export const silenceJob: Job = {
  name: "silence",
  lockId: 4,
  intervalMs: 1000,
  firstDelayMs: 0,
  async run() {
    await checkSilence();
  },
};

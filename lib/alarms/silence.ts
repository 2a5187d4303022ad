// "No reading for D": a silence rule's decision for one subject (a sensor, or a device as a
// whole), from the newest reading's ts and the clock. Pure; the worker's silence job asks it.

export interface SilenceSubject {
  silenceMs: number;
  /** When the rule was created, changed or enabled (epoch ms): silence counts from here at the earliest. */
  activeSince: number;
  /** ts of the subject's newest reading; null when it has none. */
  newestTs: number | null;
  /** When an alarm of this rule and subject was last cleared: silence counts again from there. */
  lastClearedAt: number | null;
  /** The subject's open alarm, with the ts its silence began. */
  open: { startedTs: number } | null;
}

export type SilenceDecision =
  | { raise: true; startedTs: number }
  | { clear: true; clearedTs: number }
  | null;

export function decideSilence(s: SilenceSubject, now: number): SilenceDecision {
  if (s.open) {
    // Only a reading newer than the silence ends it; late data with old ts does not.
    if (s.newestTs !== null && s.newestTs > s.open.startedTs)
      return { clear: true, clearedTs: s.newestTs };
    return null;
  }
  const quietSince = Math.max(s.newestTs ?? -Infinity, s.activeSince, s.lastClearedAt ?? -Infinity);
  return now - quietSince >= s.silenceMs ? { raise: true, startedTs: quietSince } : null;
}

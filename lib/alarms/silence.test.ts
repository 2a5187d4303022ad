import { describe, expect, it } from "vitest";
import { decideSilence, type SilenceSubject } from "./silence.ts";

const subject = (s: Partial<SilenceSubject>): SilenceSubject => ({
  silenceMs: 60_000,
  activeSince: 0,
  newestTs: null,
  lastClearedAt: null,
  open: null,
  ...s,
});

describe("silence", () => {
  it("raises once nothing came for the duration, counted from the newest reading", () => {
    expect(decideSilence(subject({ newestTs: 100_000 }), 159_999)).toBeNull();
    expect(decideSilence(subject({ newestTs: 100_000 }), 160_000)).toEqual({
      raise: true,
      startedTs: 100_000,
    });
  });

  it("counts from the rule's start, and from the last clear (a clear by hand waits the duration again)", () => {
    expect(decideSilence(subject({ newestTs: 0, activeSince: 50_000 }), 100_000)).toBeNull();
    expect(decideSilence(subject({ newestTs: 0, lastClearedAt: 90_000 }), 140_000)).toBeNull();
    expect(decideSilence(subject({ newestTs: 0, lastClearedAt: 90_000 }), 150_000)).toEqual({
      raise: true,
      startedTs: 90_000,
    });
  });

  it("clears on a reading newer than the silence, not on late data", () => {
    const open = { startedTs: 100_000 };
    expect(decideSilence(subject({ open, newestTs: 100_000 }), 500_000)).toBeNull();
    expect(decideSilence(subject({ open, newestTs: 400_000 }), 500_000)).toEqual({
      clear: true,
      clearedTs: 400_000,
    });
  });
});

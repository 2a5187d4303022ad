import { describe, expect, it } from "vitest";
import { bucketsTouched, bucketWidth, MAX_POINTS } from "./buckets.ts";

describe("bucketWidth", () => {
  it("is ceil(span / points), wide ones rounded to whole minutes or 10 minutes", () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2026, 0, 1) - 1; // 365 whole days
    expect(bucketWidth(from, to, 365)).toBe(86_400_000);
    // 14.6 h → 14 h 40 min (and 598 buckets).
    expect(bucketWidth(from, to, 600)).toBe(88 * 600_000);
    // 1.75 h → 1 h 46 min.
    expect(bucketWidth(from, to, 5000)).toBe(106 * 60_000);
    // Under an hour, to the millisecond: ceil(3 600 001 / 7) would make 8 buckets here, so / 6.
    expect(bucketWidth(from, from + 3_600_000, 7)).toBe(600_001);
    expect(bucketWidth(0, 599_999, 600)).toBe(1000);
    expect(bucketWidth(5, 5, 600)).toBe(1);
  });

  it("never makes more than `points` buckets of the epoch-aligned grid", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 30_000; i++) {
      const from = Math.floor(random() * 2e12);
      const span = Math.floor(random() ** 3 * 4e11);
      const points = 1 + Math.floor(random() ** 2 * MAX_POINTS);
      const w = bucketWidth(from, from + span, points);
      const n = bucketsTouched(from, from + span, w);
      // At most `points` buckets, and not much wider than asked.
      const asked = Math.ceil((span + 1) / Math.max(1, points - 1));
      const tooWide = points > 1 && w > asked * 1.09;
      if (!Number.isSafeInteger(w) || w < 1 || n > points || tooWide)
        throw new Error(`${from}+${span} into ${points}: ${n} buckets of ${w}`);
    }
  });
});

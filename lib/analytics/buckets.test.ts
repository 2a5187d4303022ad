import { describe, expect, it } from "vitest";
import { bucketsTouched, bucketWidth, MAX_POINTS } from "./buckets.ts";

describe("bucketWidth", () => {
  it("is ceil(span / points) when that grid fits", () => {
    // 2025-01-01 .. 2025-12-31T23:59:59.999Z: 365 whole days.
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2026, 0, 1) - 1;
    expect(bucketWidth(from, to, 365)).toBe(86_400_000);
    // 52 560 000 ms would cut the year into 601 epoch-aligned buckets: one fewer fits.
    expect(bucketWidth(from, to, 600)).toBe(Math.ceil((to - from + 1) / 599));
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
      // At most `points` buckets, and not much wider than asked: at most one bucket fewer.
      const tooWide = points > 1 && w > Math.ceil((span + 1) / (points - 1));
      if (!Number.isSafeInteger(w) || w < 1 || n > points || tooWide)
        throw new Error(`${from}+${span} into ${points}: ${n} buckets of ${w}`);
    }
  });
});

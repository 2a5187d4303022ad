import { describe, expect, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { Sequencer } from "./sequencer.ts";

const reading = (id: number): WireReading => ({
  id,
  device_id: "d",
  sensor_id: 1,
  sensor_type: "t",
  value: id,
  ts: new Date(0).toISOString(),
});

/**
 * A sequencer over an in-memory "database" of stored ids, whose horizon is the highest stored
 * id unless the test sets one (a store still under way below it).
 */
function setup(stored: number[], head = 0, opts: { failFirst?: number } = {}) {
  const delivered: number[] = [];
  let failures = opts.failFirst ?? 0;
  const db = new Set(stored);
  const state: { horizon?: number } = {};
  const sequencer = new Sequencer(head, {
    horizon: async () => state.horizon ?? Math.max(0, ...db),
    readingsAfter: async (after, { upTo, limit }) => {
      if (failures-- > 0) throw new Error("database down");
      return [...db]
        .filter((id) => id > after && id <= upTo)
        .sort((a, b) => a - b)
        .slice(0, limit)
        .map(reading);
    },
    deliver: (rs) => delivered.push(...rs.map((r) => r.id)),
    onError: () => {},
    gapWaitMs: 5,
    pageSize: 3,
    retryMs: 5,
  });
  return { sequencer, delivered, db, state };
}

describe("Sequencer", () => {
  it("delivers in-order readings at once, without the database", () => {
    const { sequencer, delivered } = setup([]);
    sequencer.receive([reading(1), reading(2)]);
    sequencer.receive([reading(3)]);
    expect(delivered).toEqual([1, 2, 3]);
  });

  it("ignores readings it has already delivered", () => {
    const { sequencer, delivered } = setup([]);
    sequencer.receive([reading(1), reading(2)]);
    sequencer.receive([reading(2), reading(1)]);
    expect(delivered).toEqual([1, 2]);
  });

  it("holds a reading that arrives early until the one before it comes", () => {
    const { sequencer, delivered } = setup([]);
    sequencer.receive([reading(2)]);
    expect(delivered).toEqual([]);
    sequencer.receive([reading(1)]);
    expect(delivered).toEqual([1, 2]);
  });

  it("fills a gap from the database when the missing reading never comes over Redis", async () => {
    const { sequencer, delivered } = setup([1, 2, 3, 4, 5, 6, 7]);
    sequencer.receive([reading(7)]);
    await expect.poll(() => delivered).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("skips ids that were rolled back (not in the database) and goes on", async () => {
    const { sequencer, delivered } = setup([1, 3]);
    sequencer.receive([reading(3)]);
    await expect.poll(() => delivered).toEqual([1, 3]);
    expect(sequencer.head).toBe(3);
    sequencer.receive([reading(4)]);
    expect(delivered).toEqual([1, 3, 4]);
  });

  it("waits for a store still under way below a reading that came early", async () => {
    // 2 is committed and published; 1 belongs to a store that has not committed yet.
    const { sequencer, delivered, db, state } = setup([2]);
    state.horizon = 0;
    sequencer.receive([reading(2)]);
    await new Promise((r) => setTimeout(r, 50));
    expect(delivered).toEqual([]);
    // It commits (and its publish is lost): the next fill finds it below the horizon.
    db.add(1);
    state.horizon = 2;
    await expect.poll(() => delivered).toEqual([1, 2]);
  });

  it("catches up on everything stored after its head, page by page", async () => {
    const { sequencer, delivered } = setup([11, 12, 13, 14, 15, 16, 17], 10);
    await sequencer.fill();
    expect(delivered).toEqual([11, 12, 13, 14, 15, 16, 17]);
  });

  it("retries when the database fails, losing nothing", async () => {
    const { sequencer, delivered } = setup([1, 2, 3], 0, { failFirst: 2 });
    sequencer.receive([reading(3)]);
    await expect.poll(() => delivered).toEqual([1, 2, 3]);
    sequencer.stop();
  });
});

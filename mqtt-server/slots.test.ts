import { describe, expect, it } from "vitest";
import { Slots } from "./slots.ts";

describe("Slots", () => {
  it("lets `size` run at once and the rest in the order they came", async () => {
    const slots = new Slots(2);
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const runs = [0, 1, 2, 3].map((i) =>
      slots.run(async () => {
        started.push(i);
        await new Promise<void>((r) => releases.push(r));
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.waiting).toBe(2);
    releases[1]();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    releases[0]();
    await new Promise((r) => setTimeout(r, 0));
    releases[2]();
    releases[3]();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(slots.waiting).toBe(0);
  });

  it("frees the slot when the work fails", async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(await slots.run(async () => "yes")).toBe("yes");
  });
});

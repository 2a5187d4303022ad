import { describe, expect, it } from "vitest";
import { cappedScheduler } from "./restart-scheduler.ts";

describe("cappedScheduler", () => {
  it("runs work asked for later than its cap at the cap, and sooner work when asked", async () => {
    const scheduler = cappedScheduler({ maxMs: 20 });
    const ran: string[] = [];
    scheduler.schedule(() => ran.push("late"), 3_600_000);
    scheduler.schedule(() => ran.push("soon"), 5);
    await new Promise((r) => setTimeout(r, 200));
    expect(ran).toEqual(["soon", "late"]);
  });

  it("does not run work whose subscription was given up", async () => {
    const ran: string[] = [];
    cappedScheduler({ maxMs: 10 })
      .schedule(() => ran.push("x"), 0)
      .unsubscribe();
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toEqual([]);
  });

  it("runs nothing that was waiting once BoCloud is stopping", async () => {
    const stopping = new AbortController();
    const ran: string[] = [];
    cappedScheduler({ maxMs: 20, stopping: stopping.signal }).schedule(() => ran.push("x"), 1000);
    stopping.abort();
    await new Promise((r) => setTimeout(r, 100));
    expect(ran).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { parseWith } from "../api/parse.ts";
import { DomainError } from "../errors.ts";
import { telemetryItems, telemetrySchema } from "./thingsboard.ts";

const items = (payload: unknown) => telemetryItems("dev-1", parseWith(telemetrySchema, payload));
const refusal = (payload: unknown): string => {
  try {
    items(payload);
  } catch (err) {
    if (err instanceof DomainError) return err.message;
  }
  throw new Error("accepted");
};

describe("ThingsBoard telemetry", () => {
  it("takes the key/value form as one reading of the device, measured now", () => {
    expect(items({ temperature: 21.5, door: "open", fan: true })).toEqual([
      {
        device_id: "dev-1",
        sensors: { temperature: 21.5, door: "open", fan: true },
        ts: undefined,
      },
    ]);
  });

  it("takes the timestamped form, in epoch ms or ISO-8601", () => {
    expect(items({ ts: 1_700_000_000_000, values: { temperature: 1 } })).toEqual([
      { device_id: "dev-1", sensors: { temperature: 1 }, ts: new Date(1_700_000_000_000) },
    ]);
    expect(items({ ts: "2023-11-14T22:13:20Z", values: { t: 1 } })[0].ts).toEqual(
      new Date(1_700_000_000_000),
    );
    expect(items({ values: { t: 1 } })[0].ts).toBeUndefined();
  });

  it("takes an array mixing both forms", () => {
    const out = items([{ a: 1 }, { ts: 1_700_000_000_000, values: { b: 2 } }]);
    expect(out.map((i) => i.sensors)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("refuses what POST /api/data refuses, naming the field", () => {
    expect(refusal({ t: { nested: 1 } })).toMatch(/^t: must be a number, a string or a boolean/);
    expect(refusal({ ts: 1_700_000_000, values: { t: 1 } })).toMatch(/^ts: is before 2000-01-01/);
    expect(refusal({ ts: 1_700_000_000_000, values: { t: 1 }, extra: 1 })).toMatch(/extra/);
    expect(refusal({ values: {} })).toMatch(/^values: must name at least one sensor/);
    expect(refusal({ "bad name": 1 })).toMatch(/sensor name may hold only/);
    expect(refusal([])).toMatch(/at least one reading/);
    expect(refusal(42)).toMatch(/must be a JSON object or an array of them/);
    expect(refusal([{ a: 1 }, "x"])).toMatch(/^1: must be an object/);
  });
});

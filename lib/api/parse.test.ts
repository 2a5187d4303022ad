import { describe, expect, it } from "vitest";
import { queryObject } from "./parse.ts";

describe("queryObject", () => {
  const params = (qs: string, repeatable?: string[]) =>
    queryObject(new URL(`http://x/api/fetch/device${qs}`), { bareKey: "id", repeatable });

  it("maps the seed's bare form to the id", () => {
    expect(params("?greenhouse-1")).toEqual({ id: "greenhouse-1" });
  });

  it("reads named parameters as they are", () => {
    expect(params("?id=a&limit=5")).toEqual({ id: "a", limit: "5" });
    expect(params("?id=")).toEqual({ id: "" });
  });

  it("refuses a parameter given twice", () => {
    expect(() => params("?id=a&id=b")).toThrow(/given twice/);
  });

  it("collects repeatable parameters in order, as empty arrays when absent", () => {
    expect(params("?sensor=3&from=1&sensor=4", ["sensor", "device"])).toEqual({
      sensor: ["3", "4"],
      device: [],
      from: "1",
    });
  });
});

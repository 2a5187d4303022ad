import { describe, expect, it } from "vitest";
import { queryParams } from "./parse.ts";

describe("queryParams", () => {
  const params = (qs: string) => queryParams(new URL(`http://x/api/fetch/device${qs}`), "id");

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
});

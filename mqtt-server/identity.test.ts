import { describe, expect, it } from "vitest";
import { readCredentials } from "./identity.ts";

describe("readCredentials", () => {
  it("takes the username as the token (ThingsBoard's convention)", () => {
    expect(readCredentials("bcd_abc", undefined)).toEqual({ token: "bcd_abc", claimedId: null });
    expect(readCredentials("bcd_abc", Buffer.from(""))).toEqual({
      token: "bcd_abc",
      claimedId: null,
    });
  });

  it("takes username = device_id and password = token", () => {
    expect(readCredentials("greenhouse-1", Buffer.from("bcd_abc"))).toEqual({
      token: "bcd_abc",
      claimedId: "greenhouse-1",
    });
  });

  it("has no token without a username or password", () => {
    expect(readCredentials(undefined, undefined)).toEqual({ token: null });
  });
});

import { describe, expect, it } from "vitest";
import { commandFilter, commandTopic, ME, publishTopic, subscriptionTopic } from "./topics.ts";

describe("publishTopic", () => {
  it("knows BoCloud's topics, for `me` or a device named", () => {
    expect(publishTopic("v1/devices/me/telemetry")).toEqual({ kind: "telemetry", device: ME });
    expect(publishTopic("v1/devices/greenhouse-1/telemetry")).toEqual({
      kind: "telemetry",
      device: { id: "greenhouse-1" },
    });
    expect(publishTopic("bocloud/v1/data")).toEqual({ kind: "data" });
    expect(publishTopic("v1/devices/me/rpc/response/42")).toEqual({
      kind: "rpc-response",
      device: ME,
      commandId: 42n,
    });
  });

  it("knows nothing else", () => {
    for (const topic of [
      "v1/devices/me/telemetry/extra",
      "v1/devices//telemetry",
      "v1/devices/bad id/telemetry",
      `v1/devices/${"x".repeat(65)}/telemetry`,
      "v1/devices/me/rpc/response/0",
      "v1/devices/me/rpc/response/abc",
      "v1/devices/me/rpc/request/1",
      "v1/devices/me/attributes",
      "bocloud/v1/data/",
      "$SYS/anything",
    ])
      expect(publishTopic(topic), topic).toBeNull();
  });
});

describe("subscriptionTopic", () => {
  it("grants the error topic and command filters only", () => {
    expect(subscriptionTopic("v1/devices/me/errors")).toEqual({ kind: "errors" });
    expect(subscriptionTopic("v1/devices/me/rpc/request/+")).toEqual({
      kind: "commands",
      device: ME,
    });
    expect(subscriptionTopic("v1/devices/+/rpc/request/+")).toEqual({
      kind: "commands",
      device: "+",
    });
    expect(subscriptionTopic("v1/devices/dev-1/rpc/request/+")).toEqual({
      kind: "commands",
      device: { id: "dev-1" },
    });
    for (const filter of [
      "#",
      "v1/#",
      "v1/devices/me/rpc/request/#",
      "v1/devices/me/rpc/request/7",
      "v1/devices/+/telemetry",
    ])
      expect(subscriptionTopic(filter), filter).toBeNull();
  });

  it("round-trips with the filters and topics commands use", () => {
    for (const device of [ME, { id: "dev-1" }, "+"] as const)
      expect(subscriptionTopic(commandFilter(device))).toEqual({ kind: "commands", device });
    expect(commandTopic(ME, 7)).toBe("v1/devices/me/rpc/request/7");
    expect(publishTopic(commandTopic({ id: "d" }, 7).replace("request", "response"))).toEqual({
      kind: "rpc-response",
      device: { id: "d" },
      commandId: 7n,
    });
  });
});

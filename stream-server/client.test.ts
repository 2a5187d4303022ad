import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { StreamClient, toBroadcast } from "./client.ts";

const reading = (id: number): WireReading => ({
  id,
  device_id: "d",
  sensor_id: 1,
  sensor_type: "t",
  value: id,
  ts: new Date(0).toISOString(),
});

describe("StreamClient", () => {
  it("writes nothing after end(), even before its socket has closed", async () => {
    // A real response whose socket never drains: 'close' does not come after end().
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    const errors: Error[] = [];
    res.on("error", (err) => errors.push(err));
    const limits = { maxBufferedBytes: 1 << 20, maxQueuedWhileReplaying: 100 };
    const client = new StreamClient(res, {}, 0, limits, () => {});
    client.goLive();
    client.offer(toBroadcast([reading(1)]));
    const before = res.writableLength;
    expect(before).toBeGreaterThan(0);

    client.end();
    client.write(": heartbeat\n\n");
    client.offer(toBroadcast([reading(2)]));
    client.offerEvents(
      [{ type: "status", device_id: "d", status: "online", last_seen_at: null }],
      ["event: status\ndata: {}\n\n"],
    );
    await client.sendReplay([reading(3)]);
    await new Promise((r) => setImmediate(r));

    // Writing after end() would emit ERR_STREAM_WRITE_AFTER_END: unhandled, it ends the process.
    expect(errors).toEqual([]);
    expect(client.lastSentId).toBe(1);
  });
});

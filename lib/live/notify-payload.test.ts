import { describe, expect, it } from "vitest";
import { MAX_PAYLOAD_BYTES, notifyPayloads, PayloadAssembler } from "./notify-payload.ts";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("notifyPayloads", () => {
  it("sends a message that fits as it is", () => {
    const message = JSON.stringify([{ id: 1, value: 21.5 }]);
    expect(notifyPayloads(message, 1)).toEqual([message]);
    const exact = `[${"1".repeat(MAX_PAYLOAD_BYTES - 2)}]`;
    expect(notifyPayloads(exact, 1)).toEqual([exact]);
  });

  it("cuts a longer one into parts under the limit that join up again, never inside a character", () => {
    const message = JSON.stringify(
      Array.from({ length: 400 }, (_, i) => ({
        id: i,
        device_id: "gewächshaus-é",
        value: "🌡️ température",
      })),
    );
    const payloads = notifyPayloads(message, 42);
    expect(payloads.length).toBeGreaterThan(3);
    for (const p of payloads) expect(bytes(p)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    for (const p of payloads) expect(p).not.toContain("\uFFFD");
    const assembler = new PayloadAssembler();
    const out = payloads.map((p) => assembler.add(7, p));
    expect(out.slice(0, -1).every((m) => m === undefined)).toBe(true);
    expect(out.at(-1)).toBe(message);
  });
});

describe("PayloadAssembler", () => {
  it("puts together messages whose parts from several senders arrive mixed", () => {
    const a = `[${"a".repeat(20_000)}]`;
    const b = `[${"b".repeat(20_000)}]`;
    const [pa, pb] = [notifyPayloads(a, 1), notifyPayloads(b, 1)];
    const assembler = new PayloadAssembler();
    const done: string[] = [];
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      for (const [sender, parts] of [
        [100, pa],
        [200, pb],
      ] as const) {
        const m = parts[i] && assembler.add(sender, parts[i]);
        if (m) done.push(m);
      }
    }
    expect(done).toEqual([a, b]);
  });

  it("forgets a message cut short when told the connection was lost", () => {
    const parts = notifyPayloads(`[${"x".repeat(20_000)}]`, 3);
    const assembler = new PayloadAssembler();
    assembler.add(1, parts[0]);
    assembler.clear();
    expect(parts.slice(1).map((p) => assembler.add(1, p))).toEqual(
      parts.slice(1).map(() => undefined),
    );
  });
});

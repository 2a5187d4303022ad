import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { WireReading } from "@/lib/reading.ts";
import { WatchedStream } from "@/test/event-source.ts";
import { adminCookie, postData, uniqueDevice, webUrl } from "@/test/http.ts";
import { type RunningProcess, startStream, startWeb } from "@/test/stack.ts";

// 64 devices post at once through two web processes (so stores commit out of id order, from
// two processes and two statements under way in each) while stream clients of two stream
// processes are cut off and resume at random: every client ends with every acknowledged
// reading exactly once, all in the same order.

const WRITERS = 64;
const PER_WRITER = 60;

let web2: RunningProcess;
let stream2: RunningProcess;
beforeAll(async () => {
  [web2, stream2] = await Promise.all([startWeb(), startStream()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([web2?.stop(), stream2?.stop()]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts PER_WRITER readings, one a request, to either web process; the acknowledged ids. */
async function writer(device: string, bases: string[]): Promise<number[]> {
  const acked: number[] = [];
  for (let i = 0; i < PER_WRITER; ) {
    const res = await postData(
      { device_id: device, sensors: { n: i } },
      { base: bases[Math.floor(Math.random() * bases.length)] },
    );
    if (res.status === 429) {
      await sleep(Number(res.headers.get("retry-after") ?? 1) * 200);
      continue;
    }
    expect(res.status).toBe(201);
    acked.push(res.json.readings[0].id);
    i++;
  }
  return acked;
}

describe("concurrent ingest", () => {
  it("gives every resuming client every acknowledged reading once, in one order", async () => {
    const prefix = uniqueDevice("load");
    const mine = (r: WireReading) =>
      r.device_id.startsWith(`${prefix}-`) && !r.device_id.endsWith("-start");
    // The clients start after a reading of ours, so a client cut off before its first event
    // still resumes from a known place (one opened without an id starts from "now").
    const start = (await postData({ device_id: `${prefix}-start`, sensors: { n: 0 } })).json;
    const from = `?last_event_id=${start.readings[0].id}`;
    const streams = [
      ...[1, 2, 3].map(() => `${inject("streamUrl")}/api/stream${from}`),
      ...[1, 2].map(() => `${stream2.url}/api/stream${from}`),
      webUrl(`/api/stream${from}`),
    ];
    const clients = streams.map((url) => new WatchedStream(url, adminCookie()));
    await Promise.all(
      clients.map((c) => new Promise((r) => c.source.addEventListener("open", r, { once: true }))),
    );

    let writing = true;
    // Each client is cut off now and then, at random, while the devices post.
    const cutting = clients.map(async (c) => {
      while (writing) {
        await sleep(300 + Math.random() * 1200);
        if (writing) c.cut();
      }
    });
    const started = performance.now();
    const acked = (
      await Promise.all(
        Array.from({ length: WRITERS }, (_, i) => writer(`${prefix}-${i}`, [webUrl(), web2.url])),
      )
    ).flat();
    const seconds = (performance.now() - started) / 1000;
    writing = false;
    await Promise.all(cutting);

    const expected = [...acked].sort((a, b) => a - b);
    try {
      for (const c of clients) {
        await expect
          .poll(() => c.readings.filter(mine).length, { timeout: 30_000, interval: 200 })
          .toBeGreaterThanOrEqual(expected.length);
      }
    } finally {
      for (const c of clients) c.close();
      for (const [i, c] of clients.entries()) {
        const got = new Set(c.readings.filter(mine).map((r) => r.id));
        const missing = expected.filter((id) => !got.has(id));
        if (missing.length)
          console.log(
            `client ${i} (${streams[i]}) misses ${missing.length}: ${missing.slice(0, 40).join(",")}`,
          );
      }
    }
    console.log(
      `concurrent ingest: ${acked.length} readings from ${WRITERS} devices in ${seconds.toFixed(1)} s ` +
        `(${(acked.length / seconds).toFixed(0)}/s); clients reconnected ${clients.map((c) => c.opens - 1).join(", ")} times`,
    );
    expect(new Set(acked).size).toBe(acked.length);
    for (const c of clients) {
      const ids = c.readings.filter(mine).map((r) => r.id);
      // Exactly once each, nothing else, and in id order: the one order every client sees.
      expect(ids).toEqual(expected);
      expect(c.opens).toBeGreaterThan(1);
    }
  }, 120_000);
});

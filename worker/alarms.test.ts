import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireAlarm, WireRule } from "@/lib/alarms/wire.ts";
import type { AlarmEvent } from "@/lib/events.ts";
import {
  adminCookie,
  getJson,
  operatorApi,
  postData,
  uniqueDevice,
  viewerCookie,
  webUrl,
} from "@/test/http.ts";
import { TestEventStream } from "@/test/sse.ts";

// Alarm evaluation by the real worker of the test stack: rules made through the API, readings
// posted to /api/data (with their own ts, so durations need no waiting), alarms read back from
// the API and from `event: alarm` on the stream.

const events: AlarmEvent[] = [];
let stream: TestEventStream;

beforeAll(async () => {
  stream = new TestEventStream(webUrl("/api/stream"), { cookie: adminCookie() });
  stream.onEvent = (type, data) => {
    if (type === "alarm") events.push(data as AlarmEvent);
  };
  expect((await stream.open()).status).toBe(200);
});
afterAll(() => stream?.close());

async function createRule(rule: Record<string, unknown>): Promise<WireRule> {
  const res = await operatorApi("POST", webUrl("/api/alarm-rules"), {
    severity: "major",
    ...rule,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return res.json.rule;
}

async function alarmsOf(query: string): Promise<WireAlarm[]> {
  const { status, json } = await getJson(`/api/alarms?${query}`);
  expect(status).toBe(200);
  return json.alarms;
}

/** Posts one sensor's values, one a second from `startMs`, as gateway batches of `chunk`. */
async function postSeries(
  device: string,
  sensor: string,
  values: number[],
  startMs: number,
  chunk = 7,
): Promise<void> {
  for (let i = 0; i < values.length; i += chunk) {
    const batch = values.slice(i, i + chunk).map((v, j) => ({
      device_id: device,
      sensors: { [sensor]: v },
      ts: startMs + (i + j) * 1000,
    }));
    expect((await postData(batch)).status).toBe(201);
  }
}

const ruleEvents = (ruleId: number, change?: string) =>
  events.filter((e) => e.alarm.rule_id === ruleId && (!change || e.change === change));

describe("a threshold rule with a duration and a clear condition", () => {
  it("raises after the duration, ignores noise around the threshold, and clears with hysteresis", async () => {
    const device = uniqueDevice("alarm-hyst");
    // Registers the device; its temperature readings, all in the past, come after the rule.
    await postData({ device_id: device, sensors: { setup: 1 } });
    const rule = await createRule({
      name: "Greenhouse too hot",
      kind: "threshold",
      device_id: device,
      sensor_type: "temperature",
      condition: { op: "gt", value: 30 },
      for_seconds: 10,
      clear_condition: { op: "lt", value: 28 },
      clear_for_seconds: 10,
    });
    const start = Date.now() - 30 * 60_000;
    const noise = (n: number, a: number, b: number) =>
      Array.from({ length: n }, (_, i) => (i % 2 ? a : b));
    const values = [
      ...Array(6).fill(31), // 0–5: above for 5 s, not 10
      29, // 6: the run ends
      ...noise(30, 30.5, 29.5), // 7–36: around the threshold: never 10 s above; 36 is 30.5
      ...Array(12).fill(31), // 37–48: above since 36: raised at 46 (10 s), 47 and 48 counted
      ...noise(30, 31, 29), // 49–78: between the thresholds and above: stays raised
      ...Array(5).fill(27), // 79–83: below the clear threshold for 4 s
      29, // 84: the clearing run ends
      ...Array(12).fill(27), // 85–96: cleared at 95
      ...Array(4).fill(20), // 97–100
    ];
    await postSeries(device, "temperature", values, start);

    await expect
      .poll(() => alarmsOf(`rule=${rule.id}&status=cleared`), { timeout: 10_000 })
      .toHaveLength(1);
    const [alarm] = await alarmsOf(`rule=${rule.id}`);
    expect(alarm).toMatchObject({
      status: "cleared",
      cleared_by: null,
      device_id: device,
      sensor_type: "temperature",
      severity: "major",
      rule_name: "Greenhouse too hot",
      first_value: 31,
      started_ts: new Date(start + 36_000).toISOString(),
      cleared_ts: new Date(start + 95_000).toISOString(),
      // 46 raised, 47 and 48 counted, then the 31s of the second noise (every other of 50–78).
      count: 3 + 15,
      last_value: 31,
      last_ts: new Date(start + 78_000).toISOString(),
    });

    // On the stream: raised once, cleared once, the same alarm.
    await expect.poll(() => ruleEvents(rule.id, "cleared").length).toBe(1);
    expect(ruleEvents(rule.id, "raised").map((e) => e.alarm.id)).toEqual([alarm.id]);
    expect(ruleEvents(rule.id, "raised")[0].alarm.status).toBe("active");
    expect(ruleEvents(rule.id, "cleared")[0].alarm.id).toBe(alarm.id);

    // Late data (older ts than what was evaluated) that breaches does not raise anything.
    await postSeries(device, "temperature", Array(15).fill(40), start + 40_000, 15);
    await postData({ device_id: device, sensors: { temperature: 20 } });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await alarmsOf(`rule=${rule.id}`)).toHaveLength(1);
    expect(ruleEvents(rule.id, "raised")).toHaveLength(1);
  });

  it("counts repeated breaches on one alarm instead of raising a storm", async () => {
    const device = uniqueDevice("alarm-repeat");
    await postData({ device_id: device, sensors: { door: "closed" } });
    const rule = await createRule({
      name: "Door open",
      kind: "threshold",
      severity: "warning",
      device_id: device,
      condition: { op: "eq", value: "open" },
    });
    for (let i = 0; i < 5; i++) await postData({ device_id: device, sensors: { door: "open" } });
    await expect.poll(async () => (await alarmsOf(`rule=${rule.id}`))[0]?.count).toBe(5);
    const alarms = await alarmsOf(`rule=${rule.id}`);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ status: "active", first_value: "open", last_value: "open" });
    expect(ruleEvents(rule.id, "raised")).toHaveLength(1);
    // A string that is not "open" clears it (the default clear condition is the negation).
    await postData({ device_id: device, sensors: { door: "closed" } });
    await expect.poll(async () => (await alarmsOf(`rule=${rule.id}`))[0]?.status).toBe("cleared");
  });
});

describe("a silence rule", () => {
  it("raises when a sensor sends nothing for its duration, and clears on its next reading", async () => {
    const device = uniqueDevice("alarm-quiet");
    await postData({ device_id: device, sensors: { heartbeat: 1 } });
    const rule = await createRule({
      name: "No heartbeat",
      kind: "silence",
      device_id: device,
      sensor_type: "heartbeat",
      silence_seconds: 2,
    });
    const whole = await createRule({
      name: "Device silent",
      kind: "silence",
      severity: "critical",
      device_id: device,
      silence_seconds: 2,
    });
    const created = Date.now();
    await expect.poll(() => ruleEvents(rule.id, "raised").length, { timeout: 10_000 }).toBe(1);
    expect(Date.now() - created).toBeGreaterThanOrEqual(1500);
    const [raised] = ruleEvents(rule.id, "raised");
    expect(raised.alarm).toMatchObject({
      kind: "silence",
      status: "active",
      device_id: device,
      sensor_type: "heartbeat",
      first_value: null,
    });
    await expect.poll(() => ruleEvents(whole.id, "raised").length, { timeout: 10_000 }).toBe(1);
    expect(ruleEvents(whole.id, "raised")[0].alarm).toMatchObject({
      sensor_id: null,
      sensor_type: null,
      severity: "critical",
    });

    const sent = await postData({ device_id: device, sensors: { heartbeat: 2 } });
    await expect.poll(() => ruleEvents(rule.id, "cleared").length, { timeout: 10_000 }).toBe(1);
    expect(ruleEvents(rule.id, "cleared")[0].alarm).toMatchObject({
      id: raised.alarm.id,
      status: "cleared",
      cleared_ts: sent.json.readings[0].ts,
    });
    await expect.poll(() => ruleEvents(whole.id, "cleared").length, { timeout: 10_000 }).toBe(1);
    // One alarm each so far: silence is counted again from the reading.
    expect(await alarmsOf(`rule=${rule.id}`)).toHaveLength(1);
  });
});

describe("acknowledging and clearing", () => {
  it("a viewer acknowledges (who, when, note), an admin clears by hand, and the history keeps both", async () => {
    const device = uniqueDevice("alarm-ack");
    await postData({ device_id: device, sensors: { pressure: 1 } });
    const rule = await createRule({
      name: "Pressure high",
      kind: "threshold",
      sensor_type: "pressure",
      device_id: device,
      condition: { op: "gte", value: 5 },
    });
    await postData({ device_id: device, sensors: { pressure: 6 } });
    await expect.poll(async () => (await alarmsOf(`rule=${rule.id}&status=active`)).length).toBe(1);
    const [alarm] = await alarmsOf(`rule=${rule.id}`);

    const ack = await operatorApi(
      "POST",
      webUrl(`/api/alarms/${alarm.id}/ack`),
      { note: "  on my way  " },
      { cookie: viewerCookie() },
    );
    expect(ack.status).toBe(200);
    expect(ack.json.alarm).toMatchObject({
      status: "acknowledged",
      acknowledged_by: "viewer",
      ack_note: "on my way",
    });
    expect(Date.now() - Date.parse(ack.json.alarm.acknowledged_at)).toBeLessThan(10_000);
    await expect.poll(() => ruleEvents(rule.id, "acknowledged").length).toBe(1);

    const again = await operatorApi("POST", webUrl(`/api/alarms/${alarm.id}/ack`), {});
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("conflict");

    // Still breaching: counted on the acknowledged alarm, which stays acknowledged.
    await postData({ device_id: device, sensors: { pressure: 7 } });
    await expect.poll(async () => (await alarmsOf(`rule=${rule.id}`))[0].count).toBe(2);
    expect((await alarmsOf(`rule=${rule.id}`))[0].status).toBe("acknowledged");

    const byViewer = await operatorApi(
      "POST",
      webUrl(`/api/alarms/${alarm.id}/clear`),
      {},
      { cookie: viewerCookie() },
    );
    expect(byViewer.status).toBe(403);
    const clear = await operatorApi("POST", webUrl(`/api/alarms/${alarm.id}/clear`), {
      note: "valve replaced",
    });
    expect(clear.status).toBe(200);
    expect(clear.json.alarm).toMatchObject({
      status: "cleared",
      cleared_by: "admin",
      clear_note: "valve replaced",
      acknowledged_by: "viewer",
      cleared_ts: null,
    });
    expect((await operatorApi("POST", webUrl(`/api/alarms/${alarm.id}/clear`), {})).status).toBe(
      409,
    );
    expect((await operatorApi("POST", webUrl("/api/alarms/999999999/ack"), {})).status).toBe(404);

    // Cleared by hand while the condition holds: the next breach raises a new alarm.
    await postData({ device_id: device, sensors: { pressure: 8 } });
    await expect.poll(async () => (await alarmsOf(`rule=${rule.id}`)).length).toBe(2);
    const history = await alarmsOf(`rule=${rule.id}`);
    expect(history.map((a) => a.status)).toEqual(["active", "cleared"]);
    expect(history[0]).toMatchObject({ count: 1, first_value: 8 });

    const csv = await fetch(webUrl(`/api/alarms/export?device=${device}`), {
      headers: { cookie: adminCookie() },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^id,rule_id,rule_name,kind,severity,status,device_id,/);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(history.map((a) => String(a.id)));
    expect(lines[2]).toContain(",viewer,on my way,");
    expect(lines[2]).toContain(",admin,valve replaced");

    const counts = await getJson("/api/alarms/counts");
    expect(counts.json.devices[device]).toEqual({ active: 1, acknowledged: 0, severity: "major" });
  });
});

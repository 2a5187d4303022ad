import { afterAll, describe, expect, it } from "vitest";
import { sql } from "@/test/db.ts";
import { getJson, operatorApi, postData, uniqueDevice, viewerCookie, webUrl } from "@/test/http.ts";

// The alarm rules and webhooks API: validation and errors like everywhere, who may do what.

const made: number[] = [];
const rules = async (body: unknown, cookie?: string) => {
  const res = await operatorApi("POST", webUrl("/api/alarm-rules"), body, cookie ? { cookie } : {});
  if (res.status === 201) made.push(res.json.rule.id);
  return res;
};
// A rule on every temperature sensor would watch the other test files' readings too.
afterAll(async () => {
  for (const id of made) await operatorApi("DELETE", webUrl(`/api/alarm-rules/${id}`));
});
const ruleCount = async () => Number((await sql("SELECT count(*) AS n FROM alarm_rules"))[0].n);

describe("alarm rules", () => {
  it("are made on a sensor, a sensor type or a device", async () => {
    const device = uniqueDevice("rules");
    const posted = await postData({ device_id: device, sensors: { temperature: 20 } });
    const sensorId = posted.json.readings[0].sensor_id;
    const threshold = { kind: "threshold", severity: "minor", condition: { op: "gt", value: 1 } };

    const bySensorId = await rules({ ...threshold, name: "One sensor", sensor_id: sensorId });
    expect(bySensorId.status).toBe(201);
    expect(bySensorId.json.rule).toMatchObject({
      scope: "sensor",
      device_id: device,
      sensor_type: "temperature",
      enabled: true,
      for_seconds: 0,
      clear_condition: null,
      silence_seconds: null,
    });
    const byType = await rules({
      ...threshold,
      name: "Every temperature",
      sensor_type: "temperature",
    });
    expect(byType.json.rule).toMatchObject({ scope: "type", device_id: null });
    const byDevice = await rules({
      kind: "silence",
      severity: "critical",
      name: "Device silent",
      device_id: device,
      silence_seconds: 300,
    });
    expect(byDevice.json.rule).toMatchObject({
      scope: "device",
      condition: null,
      silence_seconds: 300,
    });
    // Another device's rule does not watch this sensor.
    const other = uniqueDevice("rules-other");
    await postData({ device_id: other, sensors: { temperature: 20 } });
    expect((await rules({ ...threshold, name: "Elsewhere", device_id: other })).status).toBe(201);
    const watching = await getJson(`/api/alarm-rules?sensor=${sensorId}`);
    expect(watching.json.rules.map((r: { id: number }) => r.id).sort()).toEqual(
      [bySensorId.json.rule.id, byType.json.rule.id, byDevice.json.rule.id].sort(),
    );
    expect((await getJson("/api/alarm-rules?sensor=999999999")).status).toBe(404);
  });

  it.each([
    [
      { kind: "threshold", name: "x", severity: "minor", condition: { op: "gt", value: 1 } },
      /device_id: name a device_id/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "minor",
        sensor_type: "t",
        condition: { op: "between", value: 1 },
      },
      /op must be one of/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "minor",
        sensor_type: "t",
        condition: { op: "inside", min: 5, max: 1 },
      },
      /condition.min: must not be above `max`/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "minor",
        sensor_type: "t",
        condition: { op: "gt", value: 1 },
        for_seconds: -1,
      },
      /for_seconds: must not be negative/,
    ],
    [{ kind: "silence", name: "x", severity: "minor", sensor_type: "t" }, /silence_seconds/],
    [
      {
        kind: "silence",
        name: "x",
        severity: "minor",
        sensor_type: "t",
        silence_seconds: 5,
        condition: { op: "gt", value: 1 },
      },
      /condition/,
    ],
    [
      { kind: "alarm", name: "x", severity: "minor", sensor_type: "t" },
      /kind must be threshold or silence/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "fatal",
        sensor_type: "t",
        condition: { op: "gt", value: 1 },
      },
      /severity/,
    ],
    [
      {
        kind: "threshold",
        name: "",
        severity: "minor",
        sensor_type: "t",
        condition: { op: "gt", value: 1 },
      },
      /name: must not be empty/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "minor",
        device_id: "no-such-device",
        condition: { op: "gt", value: 1 },
      },
      /device_id: there is no device "no-such-device"/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "minor",
        sensor_id: 999999999,
        condition: { op: "gt", value: 1 },
      },
      /sensor_id: there is no sensor/,
    ],
    [
      {
        kind: "threshold",
        name: "x",
        severity: "minor",
        sensor_id: 1,
        sensor_type: "t",
        condition: { op: "gt", value: 1 },
      },
      /not both/,
    ],
  ])("refuse a bad rule with a clear 400 and store nothing: %j", async (body, message) => {
    const before = await ruleCount();
    const res = await rules(body);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("bad_request");
    expect(res.json.error.message).toMatch(message);
    expect(await ruleCount()).toBe(before);
  });

  it("are read by viewers and changed only by admins", async () => {
    const body = {
      kind: "threshold",
      name: "x",
      severity: "minor",
      sensor_type: "t",
      condition: { op: "gt", value: 1 },
    };
    const refused = await rules(body, viewerCookie());
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("forbidden");
    expect((await getJson("/api/alarm-rules", viewerCookie())).status).toBe(200);
    const { json } = await rules(body);
    const patch = await operatorApi(
      "PATCH",
      webUrl(`/api/alarm-rules/${json.rule.id}`),
      { enabled: false },
      { cookie: viewerCookie() },
    );
    expect(patch.status).toBe(403);
  });

  it("change field by field, keep their kind, and clear their open alarms when disabled or deleted", async () => {
    const device = uniqueDevice("rule-change");
    await postData({ device_id: device, sensors: { level: 1 } });
    const created = await rules({
      kind: "threshold",
      name: "Level",
      severity: "warning",
      device_id: device,
      sensor_type: "level",
      condition: { op: "gt", value: 5 },
    });
    const url = webUrl(`/api/alarm-rules/${created.json.rule.id}`);
    const changed = await operatorApi("PATCH", url, {
      condition: { op: "gt", value: 10 },
      clear_condition: { op: "lt", value: 8 },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.rule).toMatchObject({
      name: "Level",
      device_id: device,
      condition: { op: "gt", value: 10 },
      clear_condition: { op: "lt", value: 8 },
    });
    const kind = await operatorApi("PATCH", url, { kind: "silence" });
    expect(kind.status).toBe(400);
    expect(kind.json.error.message).toMatch(/kind/);
    const noScope = await operatorApi("PATCH", url, { device_id: null, sensor_type: null });
    expect(noScope.status).toBe(400);

    await postData({ device_id: device, sensors: { level: 11 } });
    const open = async () =>
      (await getJson(`/api/alarms?rule=${created.json.rule.id}&status=open`)).json.alarms;
    await expect.poll(async () => (await open()).length).toBe(1);
    expect((await operatorApi("PATCH", url, { enabled: false })).status).toBe(200);
    expect(await open()).toEqual([]);
    const [cleared] = (await getJson(`/api/alarms?rule=${created.json.rule.id}`)).json.alarms;
    expect(cleared).toMatchObject({
      status: "cleared",
      cleared_by: "admin",
      clear_note: "rule disabled",
    });

    expect((await operatorApi("DELETE", url)).status).toBe(204);
    expect((await operatorApi("DELETE", url)).status).toBe(404);
    expect((await getJson(`/api/alarm-rules/${created.json.rule.id}`)).status).toBe(404);
    // The history outlives the rule.
    const kept = (await getJson(`/api/alarms?device=${device}`)).json.alarms;
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ rule_id: null, rule_name: "Level" });
  });
});

describe("webhooks", () => {
  const hooks = (body: unknown, cookie?: string) =>
    operatorApi("POST", webUrl("/api/webhooks"), body, cookie ? { cookie } : {});

  it.each([
    ["http://127.0.0.1:8080/hook", /must reach a public address/],
    ["http://localhost/hook", /must reach a public address/],
    ["http://[::1]/hook", /must reach a public address/],
    ["http://169.254.169.254/latest/meta-data", /must reach a public address/],
    ["http://10.0.0.7/hook", /must reach a public address/],
    ["http://2130706433/", /must reach a public address/],
    ["ftp://example.com/hook", /http:\/\/ or https:\/\//],
    ["https://user:secret@example.com/hook", /user name or password/],
    ["not a url", /http:\/\/ or https:\/\//],
  ])("refuse %s (SSRF and nonsense)", async (url, message) => {
    const res = await hooks({ name: "x", url });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(message);
    expect(
      Number((await sql("SELECT count(*) AS n FROM webhooks WHERE url = $1", [url]))[0].n),
    ).toBe(0);
  });

  it("are for admins only, and show their secret once", async () => {
    expect((await getJson("/api/webhooks", viewerCookie())).status).toBe(403);
    expect((await hooks({ name: "x", url: "https://example.com/h" }, viewerCookie())).status).toBe(
      403,
    );
    // Disabled, so the test stack's worker never tries to reach it.
    const made = await hooks({
      name: "x",
      url: "https://example.com/h",
      enabled: false,
      format: "slack",
    });
    expect(made.status).toBe(201);
    expect(made.json.secret).toMatch(/^whsec_/);
    const listed = await getJson("/api/webhooks");
    expect(JSON.stringify(listed.json)).not.toContain(made.json.secret);
    const id = made.json.webhook.id;
    expect(
      (await operatorApi("PATCH", webUrl(`/api/webhooks/${id}`), { rule_id: 999999999 })).status,
    ).toBe(400);
    expect((await getJson(`/api/webhooks/${id}/deliveries`)).json.deliveries).toEqual([]);
    expect((await operatorApi("DELETE", webUrl(`/api/webhooks/${id}`))).status).toBe(204);
    expect((await getJson(`/api/webhooks/${id}/deliveries`)).status).toBe(404);
  });
});

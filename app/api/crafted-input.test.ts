import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adminCookie, getJson, operatorApi, postData, uniqueDevice, webUrl } from "@/test/http.ts";
import { ROOT } from "@/test/stack.ts";

// Input made to break the server: each must get a 400 in the API's error shape (and change
// nothing), never a 500.

const cursorOf = (text: string) => Buffer.from(text).toString("base64url");

async function expectBadRequest(res: { status: number; json: any }, what: string): Promise<void> {
  expect(res.status, what).toBe(400);
  expect(res.json?.error?.code, what).toBe("bad_request");
  expect(typeof res.json?.error?.message, what).toBe("string");
}

async function newDeviceWithReading(): Promise<{ device: string; sensorId: number }> {
  const device = uniqueDevice("crafted");
  const res = await postData({ device_id: device, sensors: { v: 1 } });
  expect(res.status).toBe(201);
  return { device, sensorId: res.json.readings[0].sensor_id };
}

describe("crafted query strings", () => {
  it("answers a cursor that decodes to a huge or impossible position with 400", async () => {
    const { device, sensorId } = await newDeviceWithReading();
    for (const cursor of [
      "99999999999999999999999.1", // a time past any date
      "8640000000000001.1", // just past JavaScript's last date
      "-62167219200001.1", // before year 1
      "1.99999999999999999999999", // an id past bigint
      "1.9223372036854775808", // 2^63
    ]) {
      for (const path of [
        `/api/fetch/device?id=${device}&cursor=${cursorOf(cursor)}`,
        `/api/fetch/sensor?id=${sensorId}&cursor=${cursorOf(cursor)}`,
      ]) {
        await expectBadRequest(await getJson(path), `${path} (${cursor})`);
      }
    }
  });

  it("answers times outside PostgreSQL's range with 400 on fetch, export and aggregates", async () => {
    const { device, sensorId } = await newDeviceWithReading();
    for (const range of [
      "from=-8640000000000000",
      "to=8640000000000000",
      "from=-62167219200000", // year 0, which PostgreSQL does not have
      "from=0000-01-01T00:00:00Z",
      "to=+010000-01-01T00:00:00Z",
    ]) {
      for (const path of [
        `/api/fetch/device?id=${device}&${range}`,
        `/api/fetch/sensor?id=${sensorId}&${range}`,
        `/api/export?device=${device}&${range}`,
        `/api/aggregates?sensor=${sensorId}&${range}`,
      ]) {
        await expectBadRequest(await getJson(path), path);
      }
    }
    // The ends of the range still work.
    const wide = await getJson(
      `/api/fetch/device?id=${device}&from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z`,
    );
    expect(wide.status).toBe(200);
    expect(wide.json.readings).toHaveLength(1);
  });
});

describe("NUL characters, which PostgreSQL cannot store", () => {
  it("refuses them in a command's params, keys or nested values, queuing nothing", async () => {
    const { device } = await newDeviceWithReading();
    for (const params of [{ a: "x\u0000y" }, { "k\u0000": 1 }, { deep: [{ s: ["\u0000"] }] }]) {
      const res = await operatorApi("POST", webUrl(`/api/devices/${device}/commands`), {
        name: "ping",
        params,
      });
      await expectBadRequest(res, JSON.stringify(params));
      expect(res.json.error.message).toMatch(/NUL/);
    }
    expect((await getJson(`/api/commands?device=${device}`)).json.commands).toEqual([]);
  });

  it("refuses them in a command's result, leaving the command as it was", async () => {
    const { device } = await newDeviceWithReading();
    const queued = await operatorApi("POST", webUrl(`/api/devices/${device}/commands`), {
      name: "ping",
    });
    expect(queued.status).toBe(201);
    const id = queued.json.command.id;
    const res = await operatorApi("POST", webUrl(`/api/devices/${device}/commands/${id}`), {
      status: "succeeded",
      result: { out: "\u0000" },
    });
    await expectBadRequest(res, "result");
    const [command] = (await getJson(`/api/commands?device=${device}`)).json.commands;
    expect(command.status).toBe("queued");
  });

  it("refuses them in device and gateway names", async () => {
    const { device } = await newDeviceWithReading();
    await expectBadRequest(
      await operatorApi("PATCH", webUrl(`/api/devices/${device}`), { name: "a\u0000b" }),
      "device name",
    );
    await expectBadRequest(
      await operatorApi("POST", webUrl("/api/gateways"), {
        gateway_id: uniqueDevice("crafted-gw"),
        name: "a\u0000b",
      }),
      "gateway name",
    );
    expect((await getJson(`/api/devices/${device}`)).json.device.name).not.toContain("\u0000");
  });
});

describe("paths that are not valid percent-encoding", () => {
  it.each([
    ["GET", "/api/devices/%ff"],
    ["GET", "/api/devices/%c3%28/commands"],
    ["POST", "/api/devices/%ff/commands/1"],
    ["GET", "/api/users/%ff"],
    ["DELETE", "/api/gateways/%e0%80"],
  ])("%s %s → a JSON 400 with the API's security headers", async (method, path) => {
    const res = await fetch(webUrl(path), {
      method,
      headers: { cookie: adminCookie(), origin: webUrl(), "content-type": "application/json" },
      body: method === "POST" ? "{}" : undefined,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await res.json()).error.code).toBe("bad_request");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("checks them in the middleware only for API paths holding a %, so ingestion does not pay", () => {
    // The matchers of proxy.ts as Next.js built them.
    const manifest = JSON.parse(
      readFileSync(`${ROOT}/.next/server/functions-config-manifest.json`, "utf8"),
    );
    const matchers: RegExp[] = manifest.functions["/_middleware"].matchers.map(
      (m: { regexp: string }) => new RegExp(m.regexp),
    );
    const runsFor = (path: string) => matchers.some((m) => m.test(path));
    for (const path of ["/api/data", "/api/devices/gh-1/commands", "/api/fetch/device"]) {
      expect(runsFor(path), path).toBe(false);
    }
    for (const path of ["/api/devices/%ff", "/api/users/a%3Ab", "/", "/monitor"]) {
      expect(runsFor(path), path).toBe(true);
    }
  });

  it("still serves a path with valid percent-encoding", async () => {
    const device = `${uniqueDevice("pct")}:x`;
    expect((await postData({ device_id: device, sensors: { v: 1 } })).status).toBe(201);
    const res = await getJson(`/api/devices/${encodeURIComponent(device)}`);
    expect(res.status).toBe(200);
    expect(res.json.device.device_id).toBe(device);
  });
});

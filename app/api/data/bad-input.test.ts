import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "@/lib/limits.ts";
import { rowCounts } from "@/test/db.ts";
import { getJson, postData, webUrl } from "@/test/http.ts";

const ok = { device_id: "bad-input-probe", sensors: { t: 1 } };
const item = (over: Record<string, unknown>) => ({ ...ok, ...over });
const manySensors = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`s${i}`, i]));
const long = "x".repeat(65);

// [what, raw body, status, content type]; every one must change nothing.
const cases: [string, string, number, string?][] = [
  ["invalid JSON", "{device_id:", 400],
  ["empty body", "", 400],
  ["a number as body", "42", 400],
  ["null as body", "null", 400],
  ["a string as body", '"hello"', 400],
  ["device_id missing", JSON.stringify({ sensors: { t: 1 } }), 400],
  ["device_id empty", JSON.stringify(item({ device_id: "" })), 400],
  ["device_id not a string", JSON.stringify(item({ device_id: 12 })), 400],
  ["device_id too long", JSON.stringify(item({ device_id: long })), 400],
  ["device_id with a space", JSON.stringify(item({ device_id: "green house" })), 400],
  ["device_id with markup", JSON.stringify(item({ device_id: "<script>" })), 400],
  ["device_id with NUL", JSON.stringify(item({ device_id: "a\u0000b" })), 400],
  ["sensors missing", JSON.stringify({ device_id: "x" }), 400],
  ["sensors empty", JSON.stringify(item({ sensors: {} })), 400],
  ["sensors an array", JSON.stringify(item({ sensors: [1, 2] })), 400],
  ["sensors a string", JSON.stringify(item({ sensors: "t=1" })), 400],
  ["65 sensors", JSON.stringify(item({ sensors: manySensors })), 400],
  ["sensor name too long", JSON.stringify(item({ sensors: { [long]: 1 } })), 400],
  ["sensor name with a slash", JSON.stringify(item({ sensors: { "a/b": 1 } })), 400],
  ["sensor name empty", JSON.stringify(item({ sensors: { "": 1 } })), 400],
  ["value an object", JSON.stringify(item({ sensors: { t: { v: 1 } } })), 400],
  ["value an array", JSON.stringify(item({ sensors: { t: [1] } })), 400],
  ["value null", JSON.stringify(item({ sensors: { t: null } })), 400],
  ["value 1e400", '{"device_id":"x","sensors":{"t":1e400}}', 400],
  ["value -1e400", '{"device_id":"x","sensors":{"t":-1e400}}', 400],
  ["value with NUL", JSON.stringify(item({ sensors: { t: "on\u0000" } })), 400],
  ["value string too long", JSON.stringify(item({ sensors: { t: "x".repeat(1025) } })), 400],
  ["__proto__ in sensors", '{"device_id":"x","sensors":{"__proto__":{"polluted":1}}}', 400],
  ["__proto__ at top", '{"device_id":"x","sensors":{"t":1},"__proto__":{"polluted":1}}', 400],
  ["constructor as sensor", JSON.stringify(item({ sensors: { constructor: 1 } })), 400],
  ["__proto__ behind escapes", '{"device_id":"x","sensors":{"\\u005f_proto__":{"p":1}}}', 400],
  ["prototype nested in batch", '[{"device_id":"x","sensors":{"t":{"prototype":1}}}]', 400],
  ["unknown top-level key", JSON.stringify(item({ extra: 1 })), 400],
  ["ts not a date", JSON.stringify(item({ ts: "yesterday" })), 400],
  ["ts a boolean", JSON.stringify(item({ ts: true })), 400],
  ["ts in seconds", JSON.stringify(item({ ts: 1_700_000_000 })), 400],
  ["ts far in the future", JSON.stringify(item({ ts: "2999-01-01T00:00:00Z" })), 400],
  ["ts without a zone", JSON.stringify(item({ ts: "2026-01-01T00:00:00" })), 400],
  ["empty batch", "[]", 400],
  [
    "batch of 1001",
    JSON.stringify(Array.from({ length: 1001 }, () => ({ device_id: "x", sensors: { t: 1 } }))),
    400,
  ],
  ["batch with one bad item", JSON.stringify([ok, item({ sensors: { t: null } })]), 400],
  ["batch of non-objects", "[1, 2]", 400],
  ["invalid UTF-8", "\uFFFD", 400],
  ["text/plain", JSON.stringify(ok), 415, "text/plain"],
  ["form-urlencoded", JSON.stringify(ok), 415, "application/x-www-form-urlencoded"],
  ["multipart", JSON.stringify(ok), 415, "multipart/form-data; boundary=x"],
  ["body over the limit", JSON.stringify(item({ pad: "x".repeat(MAX_BODY_BYTES) })), 413],
];

describe("POST /api/data rejects bad input and changes nothing", () => {
  it.each(cases)("%s", async (_what, raw, status, contentType) => {
    const before = await rowCounts();
    const body = _what === "invalid UTF-8" ? Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) : raw;
    const res = await fetch(webUrl("/api/data"), {
      method: "POST",
      headers: { "content-type": contentType ?? "application/json" },
      body,
    });
    expect(res.status).toBe(status);
    const json = await res.json();
    expect(json).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(json.error.message.length).toBeGreaterThan(5);
    expect(await rowCounts()).toEqual(before);
  });

  it("names the field that is wrong", async () => {
    const res = await postData([ok, item({ sensors: { t: null } })]);
    expect(res.json.error.message).toContain("1.sensors.t");
  });

  it("answers 413 to a chunked body without Content-Length, without reading it all", async () => {
    const before = await rowCounts();
    let sent = 0;
    const chunk = new TextEncoder().encode(`${" ".repeat(16 * 1024 - 1)}\n`);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // An endless body: the server must stop reading and answer at the limit.
        if (sent > 64 * MAX_BODY_BYTES) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(webUrl("/api/data"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
    expect(sent).toBeLessThan(64 * MAX_BODY_BYTES);
    expect(await rowCounts()).toEqual(before);
  });
});

describe("GET /api/fetch/* rejects bad queries", () => {
  it.each([
    ["/api/fetch/device?id=no-such-device", 404],
    ["/api/fetch/device?no-such-device", 404],
    ["/api/fetch/device", 400],
    ["/api/fetch/device?id=a%20b", 400],
    ["/api/fetch/device?id=x&limit=0", 400],
    ["/api/fetch/device?id=x&limit=1001", 400],
    ["/api/fetch/device?id=x&limit=ten", 400],
    ["/api/fetch/device?id=x&from=soon", 400],
    ["/api/fetch/device?id=x&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", 400],
    ["/api/fetch/device?id=x&cursor=garbage", 400],
    ["/api/fetch/device?id=x&bogus=1", 400],
    ["/api/fetch/device?id=x&id=y", 400],
    ["/api/fetch/sensor?id=999999999", 404],
    ["/api/fetch/sensor?999999999", 404],
    ["/api/fetch/sensor?id=abc", 400],
    ["/api/fetch/sensor?id=-1", 400],
    ["/api/fetch/sensor?id=99999999999999999999999", 400],
    ["/api/fetch/sensor?device=x", 400],
    ["/api/fetch/sensor?id=1&device=x&type=t", 400],
    ["/api/fetch/sensor?device=no-such-device&type=t", 404],
  ])("%s → %i", async (path, status) => {
    const res = await getJson(path);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});

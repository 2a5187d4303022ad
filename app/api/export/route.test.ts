import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnalyticsData,
  AWKWARD_STRINGS,
  analyticsData,
  YEAR_START,
} from "@/test/analytics-data.ts";
import { sql } from "@/test/db.ts";
import { adminCookie, postData, uniqueDevice, viewerCookie, webUrl } from "@/test/http.ts";
import { signIn } from "@/test/operators.ts";
import { type RunningProcess, scratchDatabase, startWeb } from "@/test/stack.ts";

let data: AnalyticsData;
let web: RunningProcess;
beforeAll(async () => {
  data = await analyticsData();
  // A web process of this file's own, so that its memory is measured alone. Its V8 old space is
  // capped at 96 MiB: by default V8 collects garbage lazily and the RSS of any busy Node process
  // saw-tooths by 100+ MiB, whatever it keeps; capped, RSS follows what the export really holds.
  // The cap does not limit Buffers: a body piling up in memory would still show in full.
  // (Another job rebuilding .next at this moment would make startWeb fail: wait for the build.)
  for (let i = 0; i < 120 && !existsSync(".next/BUILD_ID"); i++) await sleep(500);
  web = await startWeb({ NODE_OPTIONS: "--max-old-space-size=96" });
}, 120_000);
afterAll(() => web?.stop());

const compact = (iso: string) => iso.replace(/[-:]/g, "").replace(".000Z", "Z");

/** Resident memory (kB) of a process and all its descendants. */
function rssKb(pid: number): number {
  let total = 0;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    for (const child of children ? children.split(" ") : []) total += rssKb(Number(child));
  }
  return total;
}

/** A streaming RFC 4180 parser (CRLF records): feed it text, take whole records. */
class CsvParser {
  private buffer = "";
  private record: string[] = [];
  private readonly records: string[][] = [];
  // A quoted field or an unquoted one, then what ends it; no match until the field is complete.
  private readonly field = /(?:"((?:[^"]|"")*)"|([^,\r\n"]*))(,|\r\n)/y;

  feed(text: string) {
    this.buffer += text;
    const re = this.field;
    re.lastIndex = 0;
    let consumed = 0;
    for (let m = re.exec(this.buffer); m; m = re.exec(this.buffer)) {
      this.record.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]);
      if (m[3] !== ",") {
        this.records.push(this.record);
        this.record = [];
      }
      consumed = re.lastIndex;
    }
    this.buffer = this.buffer.slice(consumed);
  }

  take(): string[][] {
    return this.records.splice(0);
  }
}

interface DbRow {
  id: string;
  device_id: string;
  sensor_id: string;
  sensor_type: string;
  num_value: number | null;
  text_value: string | null;
  bool_value: boolean | null;
  ts: Date;
}

/** The readings the export should hold, oldest first, page by page. */
async function* expectedRows(where: string, params: unknown[]): AsyncGenerator<DbRow> {
  let after: { ts: Date; id: string } | null = null;
  for (;;) {
    const rows: DbRow[] = await sql<DbRow>(
      `SELECT r.id, d.device_id, r.sensor_id, s.type AS sensor_type, r.num_value, r.text_value,
              r.bool_value, r.ts
       FROM readings r JOIN sensors s ON s.id = r.sensor_id JOIN devices d ON d.id = s.device_key
       WHERE ${where} ${after ? `AND (r.ts, r.id) > ($${params.length + 1}, $${params.length + 2})` : ""}
       ORDER BY r.ts, r.id LIMIT 50000`,
      after ? [...params, after.ts, after.id] : params,
    );
    yield* rows;
    if (rows.length < 50000) return;
    const last: DbRow = rows[rows.length - 1];
    after = { ts: last.ts, id: last.id };
  }
}

/** The CSV record the export must have written for a row, after undoing the formula guard. */
function parsedValue(record: string[]): number | string | boolean {
  const [, , , , value, type] = record;
  if (type === "number") return Number(value);
  if (type === "boolean") return value === "true";
  expect(type).toBe("string");
  return value.replace(/(^|[,;\t\r\n])'/g, "$1");
}

function dbValue(row: DbRow): number | string | boolean {
  return row.num_value ?? row.text_value ?? (row.bool_value as boolean);
}

/** Posts string readings of sensor `s`, one a second from 2026-01-01T00:00:00Z. */
async function postStrings(device: string, values: string[]): Promise<void> {
  const posted = await postData(
    values.map((v, i) => ({
      device_id: device,
      sensors: { s: v },
      ts: Date.UTC(2026, 0, 1, 0, 0, i),
    })),
  );
  expect(posted.status).toBe(201);
}

describe("GET /api/export", () => {
  it("streams a million readings as CSV with flat memory, and they parse back to the same values", async () => {
    const url = `${web.url}/api/export?device=analytics-a`;
    const pid = web.child.pid as number;
    // Warm up (code loaded, pools open) and take the baseline after it.
    const warm = await fetch(`${url}&to=2025-01-02T00:00:00Z`, {
      headers: { cookie: adminCookie() },
    });
    await warm.text();
    const baseline = rssKb(pid);

    const res = await fetch(url, { headers: { cookie: adminCookie() } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="analytics-a_start_\d{8}T\d{6}(\.\d{3})?Z\.csv"$/,
    );

    // (bytes received, RSS) every 25 ms.
    const samples: { bytes: number; kb: number }[] = [];
    let bytes = 0;
    const sampler = setInterval(() => samples.push({ bytes, kb: rssKb(pid) }), 25);
    const parser = new CsvParser();
    const expected = expectedRows("s.device_key = $1", [data.deviceA.dbId]);
    const decoder = new TextDecoder();
    let rows = 0;
    let header: string[] | undefined;
    try {
      for await (const chunk of res.body as ReadableStream<Uint8Array>) {
        bytes += chunk.byteLength;
        parser.feed(decoder.decode(chunk, { stream: true }));
        for (const record of parser.take()) {
          if (!header) {
            header = record;
            continue;
          }
          const { value: row } = await expected.next();
          if (!row) throw new Error(`more records than readings: ${record}`);
          const want = [row.id, row.device_id, row.sensor_id, row.sensor_type];
          if (
            record.length !== 7 ||
            record.slice(0, 4).join() !== want.join() ||
            record[6] !== row.ts.toISOString() ||
            !Object.is(parsedValue(record), dbValue(row))
          ) {
            expect(record).toEqual([
              ...want,
              String(dbValue(row)),
              typeof dbValue(row),
              row.ts.toISOString(),
            ]);
          }
          rows++;
        }
      }
    } finally {
      clearInterval(sampler);
    }
    expect(header).toEqual([
      "id",
      "device_id",
      "sensor_id",
      "sensor_type",
      "value",
      "value_type",
      "ts",
    ]);
    expect((await expected.next()).done).toBe(true);
    expect(rows).toBe(data.deviceACount);
    expect(rows).toBeGreaterThanOrEqual(1_000_000);
    const mb = (kb: number) => kb / 1024;
    const peakOf = (list: typeof samples) => Math.max(...list.map((x) => x.kb));
    const firstHalf = samples.filter((x) => x.bytes <= bytes / 2);
    const secondHalf = samples.filter((x) => x.bytes > bytes / 2);
    const peak = peakOf(samples);
    console.log(
      `export: ${rows} rows, ${(bytes / 1048576).toFixed(1)} MiB of CSV; web RSS ${mb(baseline).toFixed(0)} MiB before, ` +
        `peak ${mb(peakOf(firstHalf)).toFixed(0)} MiB in the first half of the download, ` +
        `${mb(peakOf(secondHalf)).toFixed(0)} MiB in the second (+${mb(peak - baseline).toFixed(0)} MiB at most)`,
    );
    // Flat: memory does not grow with what has been sent (the body is 80 MiB, 160 MiB as strings).
    expect(mb(peak - baseline)).toBeLessThan(64);
    expect(mb(peakOf(secondHalf) - peakOf(firstHalf))).toBeLessThan(16);
  }, 120_000);

  it("reads from the database only as fast as the client takes the download", async () => {
    // On a database of its own: PostgreSQL counts index fetches per table, across sessions, and
    // other test files read the shared database's readings at the same time.
    const db = await scratchDatabase("export-pace");
    const pace = new pg.Client({ connectionString: db.url });
    await pace.connect();
    let paceWeb: RunningProcess | undefined;
    try {
      const readingCount = 600_000;
      await pace.query(`WITH d AS (INSERT INTO devices (device_id, name) VALUES ('paced', 'paced') RETURNING id),
        s AS (INSERT INTO sensors (device_key, type) SELECT id, 'temperature' FROM d RETURNING id)
        INSERT INTO readings (sensor_id, num_value, ts)
        SELECT s.id, i, to_timestamp(${YEAR_START / 1000} + i * 30) FROM s,
               generate_series(1, ${readingCount}) AS i`);
      // As autovacuum would after such a load; without statistics the planner sorts it all.
      await pace.query("ANALYZE readings");
      paceWeb = await startWeb({ DATABASE_URL: db.url, REDIS_CHANNEL_PREFIX: db.channelPrefix });
      const { admin } = await signIn(paceWeb.url);
      // Readings fetched through indexes so far. A busy backend publishes its counts once a
      // second, an idle one only 10 s after its last query: `settled` waits that out, so it is
      // exact once the server has stopped reading; `fetched` is a sample of a moving count.
      const fetched = async (waitMs = 1200) => {
        await new Promise((r) => setTimeout(r, waitMs));
        const { rows } = await pace.query<{ n: string }>(
          "SELECT idx_tup_fetch AS n FROM pg_stat_user_tables WHERE relname = 'readings'",
        );
        return Number(rows[0].n);
      };
      const settled = () => fetched(11_000);
      const before = await fetched();
      // Uncompressed, so that the buffers between server and client hold what they seem to: 5 MB
      // of gzipped JSON in socket buffers would be 50 MB of readings.
      const res = await fetch(`${paceWeb.url}/api/export?device=paced&format=json`, {
        headers: { cookie: admin, "accept-encoding": "identity" },
      });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let got = 0;
      while (got < 2 * 1024 * 1024) got += (await reader.read()).value?.byteLength ?? 0;
      // The client stops reading. The server goes on until the buffers between them (socket
      // buffers, the client's own) are full, then stops: the count stands still.
      const paused = await settled();
      const stillPaused = await fetched(3000);
      // Reading again, it goes on; cancelled, it stops.
      for (let more = 0; more < 8 * 1024 * 1024; )
        more += (await reader.read()).value?.byteLength ?? 0;
      const resumed = await settled();
      await reader.cancel();
      const cancelled = [await settled(), await fetched(3000)];
      console.log(
        `readings fetched by the time the paused server stopped: ${paused - before} of ${readingCount}` +
          ` (+${stillPaused - paused} in 3 s more); +${resumed - paused} while the client read 8 MiB more;` +
          ` +${cancelled[1] - cancelled[0]} after it cancelled`,
      );
      expect(stillPaused - paused).toBeLessThan(5000);
      expect(paused - before).toBeLessThan(readingCount / 4);
      expect(resumed - paused).toBeGreaterThan(20_000);
      expect(cancelled[1] - cancelled[0]).toBeLessThan(5000);
    } finally {
      await paceWeb?.stop();
      await pace.end();
      await db.drop();
    }
  }, 120_000);

  it("exports one sensor as a JSON array of the wire format, awkward strings intact", async () => {
    const res = await fetch(webUrl(`/api/export?device=analytics-a&type=state&format=json`), {
      headers: { cookie: viewerCookie() },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="analytics-a_state_start_\d{8}T\d{6}(\.\d{3})?Z\.json"$/,
    );
    const body = await res.json();
    const rows: DbRow[] = [];
    for await (const row of expectedRows("r.sensor_id = $1", [data.state])) rows.push(row);
    expect(body).toEqual(
      rows.map((r) => ({
        id: Number(r.id),
        device_id: r.device_id,
        sensor_id: Number(r.sensor_id),
        sensor_type: r.sensor_type,
        value: dbValue(r),
        ts: r.ts.toISOString(),
      })),
    );
    expect(new Set(body.map((r: any) => r.value))).toEqual(
      new Set([
        ...AWKWARD_STRINGS,
        true,
        false,
        ...body.filter((r: any) => typeof r.value === "number").map((r: any) => r.value),
      ]),
    );
  });

  it("neutralises spreadsheet formulas and quotes awkward strings in CSV", async () => {
    const device = uniqueDevice("csv");
    const values = ["=1+1", "+1", "-1", "@A1", "'x", "a,b", 'q"q', "l1\nl2", "plain"];
    await postStrings(device, values);
    await postData({ device_id: device, sensors: { n: -5, b: true }, ts: Date.UTC(2026, 0, 2) });
    const res = await fetch(
      webUrl(`/api/export?device=${device}&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`),
      {
        headers: { cookie: adminCookie() },
      },
    );
    const text = await res.text();
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("id,device_id,sensor_id,sensor_type,value,value_type,ts");
    const valuesOut = lines.slice(1, 10).map((l) => l.split(",").slice(4, -2).join(","));
    expect(valuesOut).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@A1",
      "''x",
      '"a,b"',
      '"q""q"',
      '"l1\nl2"',
      "plain",
    ]);
    // Numbers are not guarded; the range is inclusive at both ends.
    expect(text).toMatch(/,n,-5,number,2026-01-02T00:00:00\.000Z\r\n/);
    expect(text).toMatch(/,b,true,boolean,2026-01-02T00:00:00\.000Z\r\n/);
    expect(lines.length).toBe(1 + 11 + 1);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="${device}_20260101T000000Z_20260102T000000Z.csv"`,
    );
  });

  it("quotes values holding ; or tabs and defuses formulas after a separator, for any locale's reader", async () => {
    const device = uniqueDevice("csv-sep");
    const values = ["x;=cmd|' /C calc'!A0;", "a;b", "t\tab", "1,+2", "l1\n-3"];
    await postStrings(device, values);
    const res = await fetch(webUrl(`/api/export?device=${device}`), {
      headers: { cookie: adminCookie() },
    });
    const text = await res.text();
    const parser = new CsvParser();
    parser.feed(text);
    const records = parser.take().slice(1);
    expect(records.map((r) => r[4])).toEqual([
      "x;'=cmd|' /C calc'!A0;",
      "a;b",
      "t\tab",
      "1,'+2",
      "l1\n'-3",
    ]);
    expect(text).toContain(`,"x;'=cmd|' /C calc'!A0;",string,`);
    // A reader that splits on any of these (and knows nothing of quotes) sees no formula.
    for (const cell of text.split(/[,;\t\r\n]/)) {
      expect(cell.replace(/^"/, ""), JSON.stringify(cell)).not.toMatch(/^[=+\-@]/);
    }
  });

  it("exports a sensor by id over a range, inclusive", async () => {
    // Humidity readings are YEAR / 100 000 = 315 360 ms apart from YEAR_START.
    const from = new Date(YEAR_START + 20_000 * 315_360).toISOString();
    const to = new Date(YEAR_START + 20_100 * 315_360).toISOString();
    const res = await fetch(
      webUrl(`/api/export?sensor=${data.humidity}&from=${from}&to=${Date.parse(to)}`),
      {
        headers: { cookie: adminCookie() },
      },
    );
    const lines = (await res.text()).trimEnd().split("\r\n").slice(1);
    const [{ n }] = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts <= $3",
      [data.humidity, from, to],
    );
    expect(n).toBe(101);
    expect(lines.length).toBe(n);
    expect(lines[0].split(",")[6]).toBe(from);
    expect(lines.at(-1)?.split(",")[6]).toBe(to);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="analytics-b_humidity_${compact(from)}_${compact(to)}.csv"`,
    );
  });

  it("refuses bad input, unknown devices and anonymous callers", async () => {
    const get = (q: string, cookie = adminCookie()) =>
      fetch(webUrl(`/api/export?${q}`), { headers: { cookie } });
    for (const q of [
      "",
      "device=a&sensor=1",
      "type=x",
      "device=analytics-a&format=xml",
      "device=analytics-a&from=x",
      "device=analytics-a&device=b",
      "device=analytics-a&from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z",
      "device=bad/id",
    ]) {
      const res = await get(q);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toBe("bad_request");
    }
    expect((await get("device=no-such-device")).status).toBe(404);
    expect((await get("sensor=999999999")).status).toBe(404);
    expect((await get("device=analytics-a&type=nope")).status).toBe(404);
    expect((await get("device=analytics-a", "")).status).toBe(401);
  });
});

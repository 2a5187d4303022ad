// Baseline for the single-reading and batch ingest benchmarks: a bare node:http + pg server
// that does what POST /api/data does, without Next.js, Prisma or zod.
//
// "The same insert" here means the same statement as lib/queries/store-readings.ts in open
// mode: one call of the SQL function bocloud_store_readings (the device upsert, sensors,
// pending commands, the advisory lock that keeps ids committing in order, the INSERT), then
// the same PUBLISH on <prefix>:readings (and <prefix>:events when a device came online) and
// the same 201 body. Validation is written by hand to the same rules (lib/limits.ts), so what the
// ratio shows is the cost of the framework layers, not of skipped work.
//
// Env: DATABASE_URL, REDIS_URL, REDIS_CHANNEL_PREFIX, PORT, DB_POOL_SIZE. Says "ready" over IPC.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Redis } from "ioredis";
import pg from "pg";
import {
  FORBIDDEN_KEYS,
  ID_PATTERN,
  MAX_BATCH_ITEMS,
  MAX_BODY_BYTES,
  MAX_ID_LENGTH,
  MAX_SENSORS_PER_ITEM,
  MAX_STRING_VALUE_LENGTH,
  MAX_TS_AHEAD_MS,
  MIN_TS_MS,
} from "../lib/limits.ts";

// Numbers come back as bigint strings from pg; the product turns them into numbers the same way.
const prefix = process.env.REDIS_CHANNEL_PREFIX ?? "bocloud";
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
});
pool.on("error", () => {});
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
});
redis.on("error", () => {});

type Value = number | string | boolean;
interface Item {
  device_id: string;
  sensors: Record<string, Value>;
  ts?: Date;
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isId(v: unknown): v is string {
  return typeof v === "string" && v.length >= 1 && v.length <= MAX_ID_LENGTH && ID_PATTERN.test(v);
}

function parseItem(raw: unknown, where: string): Item {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new BadRequest(400, `${where}: must be an object`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== "device_id" && k !== "sensors" && k !== "ts")
      throw new BadRequest(400, `${where}.${k}: unknown key`);
  if (!isId(o.device_id)) throw new BadRequest(400, `${where}.device_id: invalid`);
  const s = o.sensors;
  if (typeof s !== "object" || s === null || Array.isArray(s))
    throw new BadRequest(400, `${where}.sensors: must be an object`);
  const names = Object.keys(s);
  if (names.length === 0 || names.length > MAX_SENSORS_PER_ITEM)
    throw new BadRequest(400, `${where}.sensors: 1 to ${MAX_SENSORS_PER_ITEM} sensors`);
  const sensors: Record<string, Value> = {};
  for (const name of names) {
    if (!isId(name)) throw new BadRequest(400, `${where}.sensors.${name}: invalid name`);
    const v = (s as Record<string, unknown>)[name];
    if (
      typeof v === "number"
        ? !Number.isFinite(v)
        : typeof v === "string"
          ? v.length > MAX_STRING_VALUE_LENGTH || v.includes("\u0000")
          : typeof v !== "boolean"
    )
      throw new BadRequest(400, `${where}.sensors.${name}: invalid value`);
    sensors[name] = v as Value;
  }
  let ts: Date | undefined;
  if (o.ts !== undefined) {
    const ms =
      typeof o.ts === "number" ? o.ts : typeof o.ts === "string" ? Date.parse(o.ts) : Number.NaN;
    if (!Number.isFinite(ms) || ms < MIN_TS_MS || ms > Date.now() + MAX_TS_AHEAD_MS)
      throw new BadRequest(400, `${where}.ts: invalid`);
    ts = new Date(ms);
  }
  return { device_id: o.device_id, sensors, ts };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers["content-type"];
  if (type && type.split(";")[0].trim().toLowerCase() !== "application/json")
    throw new BadRequest(415, "Send JSON");
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) throw new BadRequest(413, "Too large");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"), (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new Error(`key ${key}`);
      return value;
    });
  } catch (err) {
    throw new BadRequest(400, `Invalid JSON: ${(err as Error).message}`);
  }
}

async function store(items: Item[]) {
  const receivedAt = new Date();
  const deviceIds = [...new Set(items.map((i) => i.device_id))].sort();
  const rows = items.flatMap((item) =>
    Object.entries(item.sensors).map(([type, value]) => ({
      deviceId: item.device_id,
      type,
      value,
      ts: item.ts ?? receivedAt,
    })),
  );
  const { rows: out } = await pool.query<{ result: StoreResult }>(
    `SELECT bocloud_store_readings($1::text[], true, $2, $3::text[], $4::text[], $5::float8[], $6::text[],
       $7::boolean[], $8::timestamptz[]) AS result`,
    [
      deviceIds,
      receivedAt,
      rows.map((r) => r.deviceId),
      rows.map((r) => r.type),
      rows.map((r) => (typeof r.value === "number" ? r.value : null)),
      rows.map((r) => (typeof r.value === "string" ? r.value : null)),
      rows.map((r) => (typeof r.value === "boolean" ? r.value : null)),
      rows.map((r) => r.ts.toISOString()),
    ],
  );
  const result = out[0].result;
  const readings = rows.map((r, i) => ({
    id: result.ids[i],
    device_id: r.deviceId,
    sensor_id: result.sensor_ids[i],
    sensor_type: r.type,
    value: r.value,
    ts: r.ts.toISOString(),
  }));
  const cameOnline = result.devices
    .filter((d) => d.old_status !== "online")
    .map((d) => ({
      type: "status",
      device_id: d.device_id,
      status: "online",
      last_seen_at: receivedAt.toISOString(),
    }));
  return { readings, cameOnline, commands: result.commands };
}

interface StoreResult {
  devices: { device_id: string; old_status: string | null }[];
  sensor_ids: number[];
  ids: number[];
  commands: unknown[];
}

function publish(channel: string, message: string): Promise<unknown> {
  return redis.publish(channel, message).catch(() => {});
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "POST" || req.url !== "/api/data") {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = await readBody(req);
    let items: Item[];
    if (Array.isArray(body)) {
      if (body.length < 1 || body.length > MAX_BATCH_ITEMS) throw new BadRequest(400, "batch size");
      items = body.map((b, i) => parseItem(b, String(i)));
    } else items = [parseItem(body, "body")];
    const stored = await store(items);
    await Promise.all([
      publish(`${prefix}:readings`, JSON.stringify(stored.readings)),
      stored.cameOnline.length > 0 || stored.commands.length > 0
        ? publish(`${prefix}:events`, JSON.stringify(stored.cameOnline))
        : undefined,
    ]);
    const text = JSON.stringify({
      count: stored.readings.length,
      readings: stored.readings,
      commands: stored.commands,
    });
    res.writeHead(201, { "Content-Type": "application/json" }).end(text);
  } catch (err) {
    const status = err instanceof BadRequest ? err.status : 503;
    res
      .writeHead(status, { "Content-Type": "application/json" })
      .end(JSON.stringify({ error: { code: String(status), message: (err as Error).message } }));
  }
}

const server = createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.({ type: "ready" }));
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
  void pool.end().then(() => process.exit(0));
});

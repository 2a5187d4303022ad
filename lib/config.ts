import ipaddr from "ipaddr.js";
import { z } from "zod";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/bocloud";

// Every variable BoCloud reads, with the default that works on a local machine.
// `.env.example` lists the same names; every process validates them at start.
const configSchema = z.object({
  /**
   * A postgresql:// URL, or `embedded`: the PostgreSQL that npm start / npm run dev run in
   * BOCLOUD_DATA_DIR (unset, they choose on the first run: scripts/launch/database-choice.ts).
   */
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|embedded$)/, "must be a postgresql:// URL or embedded")
    .default(DEFAULT_DATABASE_URL),
  /** `none`: no Redis; live fan-out goes through PostgreSQL (LISTEN/NOTIFY), limits per process. */
  REDIS_URL: z
    .string()
    .regex(/^(rediss?:\/\/|none$)/, "must be a redis:// URL, or none for no Redis")
    .default("redis://127.0.0.1:6379"),
  /** BoCloud's own files (the embedded PostgreSQL, the first run's choice); relative to the BoCloud folder. */
  BOCLOUD_DATA_DIR: z.string().min(1).default("./data"),
  REDIS_CHANNEL_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "may hold only letters, digits and . _ : -")
    .default("bocloud"),
  STREAM_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+$/, "must be an http:// origin without a path")
    .default("http://127.0.0.1:3001"),
  STREAM_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** How often the stream checks that its clients' sessions still exist (logout ends them). */
  STREAM_SESSION_CHECK_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  /** token: POST /api/data needs a device or gateway token. open: the seed's auto-registration. */
  INGEST_AUTH: z.enum(["token", "open"]).default("token"),
  DEVICE_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(1).max(31_536_000).default(300),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
  /** Posts a device (or gateway) may make per second; 0 turns the limit off. */
  INGEST_RATE_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** Failed logins per account from one address (and 4× per address) in 15 minutes before 429. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** Failed logins per account from all addresses together in 15 minutes before 429. */
  LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Long-polls for commands one device may hold open at once (per web process). */
  LONG_POLLS_PER_DEVICE: z.coerce.number().int().min(1).max(1000).default(4),
  /** Streams one operator session may hold open at once (per stream process). */
  STREAM_MAX_PER_SESSION: z.coerce.number().int().min(1).max(10_000).default(20),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  STREAM_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  /** The address the stream sidecar listens on: loopback only unless told otherwise. */
  STREAM_HOST: z
    .string()
    .regex(/^[0-9A-Za-z.:-]{1,253}$/, "must be an IP address or a host name")
    .default("127.0.0.1"),
  /** The worker's /health, on 127.0.0.1 only. */
  WORKER_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Store statements a process runs at once; requests that arrive meanwhile share the next. */
  STORE_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(2),
  /** Readings one store statement takes at most when it combines requests. */
  STORE_MAX_READINGS: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  REDIS_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  /** Days readings are kept (a device's retention_days overrides it); 0 keeps them forever. */
  RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  /** How long a webhook receiver has to answer one delivery. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** The pause before a webhook's first retry; it doubles with each attempt, up to an hour. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  /** Attempts of one webhook delivery before it is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(15),
  /**
   * Addresses (IPs or CIDRs, comma-separated) that webhooks may reach although they are not
   * public: loopback, private, link-local and other special ranges are refused otherwise (SSRF).
   */
  WEBHOOK_ALLOWED_NETWORKS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine((s) => ipaddr.isValid(s) || isCidr(s), "must be IPs or CIDRs, comma-separated"),
      ),
    )
    .default([]),
  /** The MQTT listener (mqtt-server/): MQTT 3.1.1 over TCP. */
  MQTT_PORT: z.coerce.number().int().min(1).max(65535).default(1883),
  /** The MQTT listener's HTTP port: MQTT over WebSocket at /mqtt, and GET /health. */
  MQTT_WS_PORT: z.coerce.number().int().min(1).max(65535).default(3003),
  /** Live MQTT connections one device or gateway may hold at once, over every mqtt process. */
  MQTT_CONNECTIONS_PER_TOKEN: z.coerce.number().int().min(1).max(10_000).default(4),
  /** Publishes of one connection being stored at once; past it, its socket is not read. */
  MQTT_MAX_INFLIGHT: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Publishes one mqtt process stores at once (over all connections); the others wait in line. */
  MQTT_MAX_STORING: z.coerce.number().int().min(1).max(100_000).default(256),
  /** A publish not stored in this long closes its connection without a PUBACK. */
  MQTT_PUBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** A connection with more than this waiting to be sent to it is dropped (a slow consumer)… */
  MQTT_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(1_048_576),
  /** … and so is one whose socket does not drain for this long. */
  MQTT_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** How often connections are checked against their tokens (revoked or rotated: disconnected). */
  MQTT_TOKEN_CHECK_MS: z.coerce.number().int().min(100).max(300_000).default(5_000),
  /** The lease of a connection's record: a killed mqtt process leaves devices online this long. */
  MQTT_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(30),
  /** Shared-subscription mode: also consume devices' messages from this broker (unset: off). */
  MQTT_UPSTREAM_URL: z
    .string()
    .regex(/^(mqtts?|wss?):\/\/[^/]+/, "must be an mqtt://, mqtts://, ws:// or wss:// URL")
    .optional(),
  /** The gateway token whose devices the upstream broker's messages may write for. */
  MQTT_UPSTREAM_TOKEN: z.string().min(8).max(128).optional(),
  /** What the device topics start with on the upstream broker, e.g. `site1/`. */
  MQTT_UPSTREAM_PREFIX: z
    .string()
    .regex(/^([^#+$/][^#+]*\/)?$/, "must be empty or end with / (and hold no + or #)")
    .default(""),
  /** The shared subscription's group: `$share/<group>/…`. */
  MQTT_UPSTREAM_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, "may hold only letters, digits and . _ -")
    .default("bocloud"),
  /** Client id of this process's upstream connections (with -1, -2, …); stable across restarts. */
  MQTT_UPSTREAM_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,60}$/, "may hold only letters, digits and . _ : -")
    .optional(),
  /** Upstream connections of this process (each takes one message at a time). */
  MQTT_UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
});

function isCidr(s: string): boolean {
  try {
    ipaddr.parseCIDR(s);
    return true;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ""));
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new ConfigError(`Invalid configuration (see .env.example):\n${problems.join("\n")}`);
}

/** Whether live fan-out and shared rate limits go through Redis (else PostgreSQL, per process). */
export function usesRedis(c: Config): boolean {
  return c.REDIS_URL !== "none";
}

let loaded: Config | undefined;

/** The process's configuration, validated once on first use. */
export function config(): Config {
  if (loaded) return loaded;
  const parsed = parseConfig(process.env);
  if (parsed.DATABASE_URL === "embedded") {
    throw new ConfigError(
      "DATABASE_URL=embedded: the embedded PostgreSQL is run by `npm start` and `npm run dev`, " +
        "which give BoCloud's processes its postgresql:// URL. Run this process under them, or " +
        "give it a postgresql:// URL.",
    );
  }
  loaded = parsed;
  return loaded;
}

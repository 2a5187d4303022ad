import { z } from "zod";

export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/bocloud";

// Every variable BoCloud reads, with the default that works on a local machine.
// `.env.example` lists the same names; both processes validate them at start.
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
});

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

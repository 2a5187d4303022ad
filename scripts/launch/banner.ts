// What the launcher says as BoCloud starts: where it listens, which PostgreSQL it uses and where
// that keeps its data, whether Redis is used, and where to go next.
import type { Config } from "../../lib/config.ts";
import type { DatabaseChoice } from "./database-choice.ts";
import { type RedisChoice, redactedUrl } from "./redis-choice.ts";

export interface StartupFacts {
  config: Pick<
    Config,
    "PORT" | "STREAM_HOST" | "STREAM_PORT" | "WORKER_PORT" | "MQTT_PORT" | "MQTT_WS_PORT"
  >;
  database: DatabaseChoice;
  /** For the embedded PostgreSQL: its cluster, port, and whether this start created it. */
  embedded?: { cluster: string; port: number; created: boolean };
  redis: RedisChoice;
  dev: boolean;
}

export function webUrl(config: Pick<Config, "PORT">): string {
  return `http://localhost:${config.PORT}`;
}

export function startupLines(facts: StartupFacts): string[] {
  const { config, database, embedded, redis } = facts;
  const postgres =
    database.kind === "external"
      ? `${redactedUrl(database.url)} (${database.why})`
      : `embedded (${database.why}), data in ${embedded?.cluster}, on 127.0.0.1:${embedded?.port}` +
        (embedded?.created ? " — created just now" : "");
  const redisLine = redis.used
    ? `${redactedUrl(redis.url)}: live fan-out and shared rate limits`
    : `not used (${redis.why}): live fan-out through PostgreSQL LISTEN/NOTIFY, rate limits counted per process`;
  return [
    `BoCloud${facts.dev ? " (development)" : ""}`,
    `  web        ${webUrl(config)} (port ${config.PORT} on every interface)`,
    `  stream     ${config.STREAM_HOST}:${config.STREAM_PORT}, reached through ${webUrl(config)}/api/stream`,
    `  worker     health on 127.0.0.1:${config.WORKER_PORT}`,
    `  mqtt       devices on port ${config.MQTT_PORT} (MQTT over TCP), ${config.MQTT_WS_PORT} (WebSocket at /mqtt)`,
    `  PostgreSQL ${postgres}`,
    `  Redis      ${redisLine}`,
  ];
}

/** The line that says where to go once BoCloud answers. */
export function nextStepLine(config: Pick<Config, "PORT">, hasUsers: boolean): string {
  return hasUsers
    ? `BoCloud is ready: sign in at ${webUrl(config)}/login`
    : `BoCloud is ready. No administrator yet: open ${webUrl(config)}/setup to create the first one.`;
}

import { describe, expect, it, vi } from "vitest";
import { ConfigError, parseConfig, usesRedis } from "./config.ts";

describe("parseConfig", () => {
  it("gives working local defaults when nothing is set", () => {
    const config = parseConfig({});
    expect(config.DATABASE_URL).toBe("postgresql://postgres@127.0.0.1:5432/bocloud");
    expect(config.PORT).toBe(3000);
    expect(config.REDIS_PUBLISH_TIMEOUT_MS).toBe(100);
  });

  it("treats an empty variable as unset", () => {
    expect(parseConfig({ PORT: "" }).PORT).toBe(3000);
  });

  it("names every bad variable in one clear message", () => {
    expect(() => parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x" })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x" });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT:/);
      expect((err as Error).message).toMatch(/DATABASE_URL: must be a postgresql:\/\/ URL/);
    }
  });

  it("reads the networks webhooks may reach as a list of IPs and CIDRs", () => {
    expect(parseConfig({}).WEBHOOK_ALLOWED_NETWORKS).toEqual([]);
    expect(
      parseConfig({ WEBHOOK_ALLOWED_NETWORKS: " 10.0.5.0/24, 192.168.1.7 ,fd00::/8" })
        .WEBHOOK_ALLOWED_NETWORKS,
    ).toEqual(["10.0.5.0/24", "192.168.1.7", "fd00::/8"]);
    expect(() => parseConfig({ WEBHOOK_ALLOWED_NETWORKS: "intranet" })).toThrow(
      /WEBHOOK_ALLOWED_NETWORKS.*IPs or CIDRs/,
    );
  });

  it("defaults the MQTT listener to 1883 with the upstream mode off, and checks its URL and prefix", () => {
    const config = parseConfig({});
    expect(config.MQTT_PORT).toBe(1883);
    expect(config.MQTT_UPSTREAM_URL).toBeUndefined();
    expect(parseConfig({ MQTT_UPSTREAM_URL: "mqtt://u:p@broker:1883" }).MQTT_UPSTREAM_URL).toBe(
      "mqtt://u:p@broker:1883",
    );
    expect(() => parseConfig({ MQTT_UPSTREAM_URL: "http://broker" })).toThrow(/MQTT_UPSTREAM_URL/);
    expect(() => parseConfig({ MQTT_UPSTREAM_PREFIX: "site1" })).toThrow(/end with \//);
    expect(() => parseConfig({ MQTT_UPSTREAM_PREFIX: "site/#/" })).toThrow(/MQTT_UPSTREAM_PREFIX/);
    expect(parseConfig({ MQTT_UPSTREAM_PREFIX: "site1/" }).MQTT_UPSTREAM_PREFIX).toBe("site1/");
  });

  it("takes REDIS_URL=none for no Redis, and DATABASE_URL=embedded for the launcher", () => {
    expect(usesRedis(parseConfig({}))).toBe(true);
    expect(usesRedis(parseConfig({ REDIS_URL: "none" }))).toBe(false);
    expect(parseConfig({ DATABASE_URL: "embedded" }).DATABASE_URL).toBe("embedded");
    expect(() => parseConfig({ REDIS_URL: "off" })).toThrow(
      /REDIS_URL: must be a redis:\/\/ URL, or none/,
    );
  });
});

describe("config()", () => {
  it("refuses DATABASE_URL=embedded in a process that is not the launcher, saying why", async () => {
    vi.stubEnv("DATABASE_URL", "embedded");
    vi.resetModules();
    try {
      const { config } = await import("./config.ts");
      expect(() => config()).toThrow(/npm start/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type PostgresCluster, startPostgresCluster } from "@/faults/postgres-cluster.ts";
import { type SupervisedBocloud, startSupervised, waitUntil } from "@/faults/supervised-bocloud.ts";
import type { WireReading } from "@/lib/reading.ts";
import { TestEventStream } from "@/test/sse.ts";
import { freePort } from "@/test/stack.ts";

// `npm start` (dist/start.mjs) on a machine that has nothing but Node.js, as far as BoCloud can
// tell: no DATABASE_URL (or DATABASE_URL=embedded), nothing on the PostgreSQL port it looks at
// (PGPORT, a free port here, beside the machine's own server on 5432) and a Redis URL where
// nothing answers. Each test has data folders of its own and leaves no server running.

const ADMIN = { username: "admin", password: "correct horse battery" };
const folders: string[] = [];
const running = new Set<SupervisedBocloud>();
const clusters: PostgresCluster[] = [];

afterAll(async () => {
  for (const b of running) await b.stop();
  for (const c of clusters) c.destroy();
  for (const dir of folders) {
    expect(postmasterOf(dir), `a PostgreSQL still runs in ${dir}`).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  }
});

function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "bocloud-first-run-"));
  folders.push(dir);
  return dir;
}

/** The pid of the embedded PostgreSQL of a data folder, while one runs. */
function postmasterOf(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(data, "postgres/postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const remembered = (data: string) => JSON.parse(readFileSync(join(data, "bocloud.json"), "utf8"));

/** BoCloud as `npm start` runs it, with nothing configured but what `env` says. */
async function launch(
  env: Record<string, string>,
  opts?: Parameters<typeof startSupervised>[1],
): Promise<SupervisedBocloud> {
  const bocloud = await startSupervised(
    {
      DATABASE_URL: "",
      PGPORT: String(await freePort()),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_CHANNEL_PREFIX: `bocloud-first-run-${process.pid}`,
      ...env,
    },
    opts,
  );
  running.add(bocloud);
  return bocloud;
}

async function stop(bocloud: SupervisedBocloud): Promise<void> {
  await bocloud.stop();
  running.delete(bocloud);
  expect(bocloud.supervisor.exitCode, bocloud.output().slice(-3000)).toBe(0);
}

async function call(
  bocloud: SupervisedBocloud,
  path: string,
  init: { body?: unknown; cookie?: string; token?: string } = {},
): Promise<{ status: number; json: any; cookie: string }> {
  const res = await fetch(`${bocloud.webUrl}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      "content-type": "application/json",
      origin: bocloud.webUrl,
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : null,
    cookie: (res.headers.get("set-cookie") ?? "").split(";")[0],
  };
}

async function watch(bocloud: SupervisedBocloud, cookie: string, query: string) {
  const stream = new TestEventStream(`${bocloud.webUrl}/api/stream${query}`, { cookie });
  expect((await stream.open()).status).toBe(200);
  return stream;
}

describe("npm start with only Node.js", () => {
  it("runs on DATABASE_URL=embedded without Redis: the first admin, a reading live and in fetch, all there again after a restart", async () => {
    const data = dataFolder();
    const env = { DATABASE_URL: "embedded", BOCLOUD_DATA_DIR: data };
    let bocloud = await launch(env);
    const port = new URL(bocloud.webUrl).port;

    // The first run says where BoCloud listens, which PostgreSQL, where its data is, about
    // Redis, and where to go next.
    const log = bocloud.output();
    expect(log).toContain(`web        http://localhost:${port}`);
    expect(log).toContain(
      `PostgreSQL embedded (DATABASE_URL=embedded), data in ${join(data, "postgres")}`,
    );
    expect(log).toMatch(/created just now/);
    expect(log).toMatch(/Redis +not used \(redis:\/\/127\.0\.0\.1:\d+\/? does not answer/);
    await waitUntil(async () => bocloud.output().includes("/setup"), 30_000);
    expect(bocloud.output()).toContain(`open http://localhost:${port}/setup`);

    const setup = await call(bocloud, "/api/auth/setup", { body: ADMIN });
    expect(setup.status).toBe(201);
    const device = await call(bocloud, "/api/devices", {
      body: { device_id: "greenhouse-1" },
      cookie: setup.cookie,
    });
    expect(device.status).toBe(201);
    const { token } = device.json;

    const live = await watch(bocloud, setup.cookie, "?device=greenhouse-1");
    const posted = await call(bocloud, "/api/data", {
      body: { device_id: "greenhouse-1", sensors: { temperature: 21.5, door: "open" } },
      token,
    });
    expect(posted.status).toBe(201);
    const readings: WireReading[] = posted.json.readings;
    await expect.poll(() => live.readings, { timeout: 5000 }).toEqual(readings);
    live.close();
    const fetched = await call(bocloud, "/api/fetch/device?id=greenhouse-1", {
      cookie: setup.cookie,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.json.readings.map((r: WireReading) => r.id).sort()).toEqual(
      readings.map((r) => r.id).sort(),
    );

    await stop(bocloud);
    expect(postmasterOf(data)).toBeUndefined();
    expect(existsSync(join(data, "postgres/PG_VERSION"))).toBe(true);

    bocloud = await launch(env);
    expect(bocloud.output()).not.toMatch(/created just now/);
    const signedIn = await call(bocloud, "/api/auth/login", { body: ADMIN });
    expect(signedIn.status).toBe(200);
    const again = await call(bocloud, "/api/fetch/device?id=greenhouse-1", {
      cookie: signedIn.cookie,
    });
    expect(again.json.readings).toEqual(fetched.json.readings);
    // The stream replays the stored readings and goes on live with the next one.
    const resumed = await watch(bocloud, signedIn.cookie, "?device=greenhouse-1&backfill=10");
    const next = await call(bocloud, "/api/data", {
      body: { device_id: "greenhouse-1", sensors: { temperature: 22 } },
      token,
    });
    expect(next.status).toBe(201);
    await expect
      .poll(() => resumed.readings.map((r) => r.id), { timeout: 5000 })
      .toEqual([...readings, ...next.json.readings].map((r: WireReading) => r.id));
    resumed.close();
    await stop(bocloud);
    expect(postmasterOf(data)).toBeUndefined();
  }, 180_000);

  it("starts its embedded PostgreSQL again when it is killed, and stops the one a killed BoCloud left behind", async () => {
    const data = dataFolder();
    const env = { DATABASE_URL: "embedded", BOCLOUD_DATA_DIR: data, INGEST_AUTH: "open" };
    let bocloud = await launch(env);
    const posted = await call(bocloud, "/api/data", {
      body: { device_id: "d1", sensors: { v: 1 } },
    });
    expect(posted.status).toBe(201);

    const first = postmasterOf(data) ?? 0;
    process.kill(first, "SIGKILL");
    await waitUntil(async () => (postmasterOf(data) ?? first) !== first, 30_000);
    await waitUntil(
      () => fetch(`${bocloud.webUrl}/api/health`).then((r) => r.status === 200),
      30_000,
    );
    expect(bocloud.output()).toMatch(
      /The embedded PostgreSQL stopped \(SIGKILL\); starting it again/,
    );
    const again = await call(bocloud, "/api/data", {
      body: { device_id: "d1", sensors: { v: 2 } },
    });
    expect(again.status).toBe(201);

    // BoCloud itself killed with -9, with its processes: its PostgreSQL is left running.
    const processes = (["web", "stream", "worker"] as const).map((name) => bocloud.pidOf(name));
    bocloud.supervisor.kill("SIGKILL");
    for (const pid of processes) if (pid) process.kill(pid, "SIGKILL");
    await waitUntil(
      async () => bocloud.supervisor.exitCode !== null || bocloud.supervisor.signalCode !== null,
      5000,
    );
    running.delete(bocloud);
    const orphan = postmasterOf(data);
    expect(orphan).toBeDefined();

    bocloud = await launch(env);
    expect(bocloud.output()).toContain(`left running by a BoCloud that was killed (pid ${orphan})`);
    const third = await call(bocloud, "/api/data", {
      body: { device_id: "d1", sensors: { v: 3 } },
    });
    expect(third.status).toBe(201);
    expect(third.json.readings[0].id).toBeGreaterThan(again.json.readings[0].id);
    await stop(bocloud);
    expect(postmasterOf(data)).toBeUndefined();
  }, 180_000);

  it("chooses the database on the first run and keeps to it: embedded when nothing answers, the local server when one does, which it then waits for when it is down", async () => {
    const cluster = startPostgresCluster(await freePort());
    clusters.push(cluster);
    const clusterPort = String(cluster.port);

    // Nothing configured, nothing on the port it looks at: embedded, and remembered.
    const embeddedData = dataFolder();
    let bocloud = await launch({ BOCLOUD_DATA_DIR: embeddedData });
    expect(bocloud.output()).toMatch(
      /PostgreSQL embedded \(first run: no DATABASE_URL, and nothing answers at 127\.0\.0\.1:\d+\)/,
    );
    expect(remembered(embeddedData).database).toBe("embedded");
    await stop(bocloud);
    // A server that answers there later does not take the embedded install's place.
    bocloud = await launch({ BOCLOUD_DATA_DIR: embeddedData, PGPORT: clusterPort });
    expect(bocloud.output()).toMatch(
      /PostgreSQL embedded \(this install's database since its first run\)/,
    );
    await stop(bocloud);
    expect(await databases(cluster)).not.toContain("bocloud");

    // Nothing configured, a PostgreSQL answers: that one, remembered, and no embedded server.
    const externalData = dataFolder();
    bocloud = await launch({ BOCLOUD_DATA_DIR: externalData, PGPORT: clusterPort });
    expect(bocloud.output()).toMatch(
      new RegExp(
        `PostgreSQL postgresql://postgres@127\\.0\\.0\\.1:${clusterPort}/bocloud \\(first run`,
      ),
    );
    expect(remembered(externalData)).toMatchObject({ database: "external" });
    expect(await databases(cluster)).toContain("bocloud");
    await stop(bocloud);

    // That server is down at the next start: BoCloud waits for it, answering 503, and never
    // starts an embedded one in its place.
    cluster.stop("fast");
    bocloud = await launch(
      { BOCLOUD_DATA_DIR: externalData, PGPORT: clusterPort },
      { until: "answering" },
    );
    expect(bocloud.output()).toMatch(/this install's database since its first run/);
    expect(bocloud.output()).toMatch(/does not answer .*answers 503 until it does/);
    const down = await fetch(`${bocloud.webUrl}/api/health`);
    expect(down.status).toBe(503);
    expect(existsSync(join(externalData, "postgres"))).toBe(false);
    cluster.start();
    await waitUntil(
      () => fetch(`${bocloud.webUrl}/api/health`).then((r) => r.status === 200),
      30_000,
    );
    await waitUntil(
      async () => bocloud.output().includes("answers: the database is ready"),
      10_000,
    );
    await stop(bocloud);
  }, 240_000);
});

async function databases(cluster: PostgresCluster): Promise<string[]> {
  const client = new pg.Client({ connectionString: cluster.url("postgres") });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database");
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WireCommand } from "@/lib/commands/wire.ts";
import { operatorApi, uniqueDevice } from "@/test/http.ts";
import { type RunningProcess, startWeb } from "@/test/stack.ts";

// The web app without Redis (REDIS_URL=none): its limits are counted in the process, at once,
// and a device's long-poll is woken through PostgreSQL.

let web: RunningProcess;
beforeAll(async () => {
  web = await startWeb({
    REDIS_URL: "none",
    INGEST_AUTH: "token",
    INGEST_RATE_PER_SECOND: "5",
    LOGIN_MAX_FAILURES: "3",
  });
});
afterAll(() => web?.stop());

const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  operatorApi(method, `${web.url}${path}`, body, { headers });

async function newDevice() {
  const device = uniqueDevice("nored");
  const res = await api("POST", "/api/devices", { device_id: device });
  expect(res.status).toBe(201);
  return { device, auth: { authorization: `Bearer ${res.json.token}` } };
}

describe("without Redis", () => {
  it("holds a device to INGEST_RATE_PER_SECOND, counted in this process: 429 with Retry-After", async () => {
    const { device, auth } = await newDevice();
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${web.url}/api/data`, {
          method: "POST",
          headers: { "content-type": "application/json", ...auth },
          body: JSON.stringify({ device_id: device, sensors: { v: i } }),
        }),
      ),
    );
    const stored = answers.filter((r) => r.status === 201).length;
    const refused = answers.filter((r) => r.status === 429);
    expect(stored).toBeGreaterThanOrEqual(5);
    // One window, or two when the burst crosses a second.
    expect(stored).toBeLessThanOrEqual(10);
    expect(stored + refused.length).toBe(30);
    expect(refused[0].headers.get("retry-after")).toBe("1");
  });

  it("refuses sign-ins past LOGIN_MAX_FAILURES for an account from one address", async () => {
    const username = uniqueDevice("nobody");
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api("POST", "/api/auth/login", { username, password: "wrong password" });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("answers a waiting long-poll within 200 ms of a command being queued", async () => {
    const { device, auth } = await newDevice();
    const delaysMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const polling = api("GET", `/api/devices/${device}/commands?wait=10`, undefined, auth).then(
        (res) => ({ ...res, at: performance.now() }),
      );
      await new Promise((r) => setTimeout(r, 300)); // the poll is waiting now
      const queuedAt = performance.now();
      const queued = await api("POST", `/api/devices/${device}/commands`, { name: "ping" });
      expect(queued.status).toBe(201);
      const answer = await polling;
      expect(answer.json.commands.map((c: WireCommand) => c.id)).toEqual([queued.json.command.id]);
      delaysMs.push(answer.at - queuedAt);
    }
    // The waiter also looks at the database every second: well under that is the notification.
    expect([...delaysMs].sort((a, b) => a - b)[1]).toBeLessThan(200);
  });
});

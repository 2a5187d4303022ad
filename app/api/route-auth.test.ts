import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT, type RunningProcess, startWeb } from "@/test/stack.ts";

// A new route cannot forget who may call it: every method of every route file under app/api/
// is called without credentials and must refuse, except this short list of public ones. The
// device routes are called in token mode, where they need a device token like any device.
const PUBLIC = new Set([
  "GET /api/health",
  "POST /api/auth/login",
  "POST /api/auth/setup",
  "POST /api/auth/logout",
]);
const REFUSED = [401, 403, 404, 405];
const METHOD = /export\s+(?:const|(?:async\s+)?function)\s+(GET|HEAD|POST|PUT|PATCH|DELETE)\b/g;
/** A value for each dynamic segment, so the route matches. */
const SAMPLE: Record<string, string> = {
  deviceId: "route-auth-device",
  gatewayId: "route-auth-gateway",
  commandId: "1",
  username: "route-auth-user",
};

const API_DIR = join(ROOT, "app/api");

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return routeFiles(path);
    return e.name === "route.ts" ? [path] : [];
  });
}

const routes = routeFiles(API_DIR).map((file) => {
  const dir = relative(join(ROOT, "app"), file).replace(/\/route\.ts$/, "");
  const path = `/${dir.replace(/\[(\w+)\]/g, (_, name: string) => SAMPLE[name] ?? "x")}`;
  const source = readFileSync(file, "utf8");
  const methods = [...source.matchAll(METHOD)].map((m) => m[1]);
  return { file: relative(ROOT, file), path, source, methods };
});
const calls = routes.flatMap((r) => r.methods.map((method) => ({ method, path: r.path })));

let web: RunningProcess;
beforeAll(async () => {
  web = await startWeb({ INGEST_AUTH: "token", STREAM_URL: inject("streamUrl") });
});
afterAll(() => web?.stop());

describe("every API route", () => {
  it("is found: the walk sees the routes it should", () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(calls).toContainEqual({ method: "POST", path: "/api/data" });
    expect(calls).toContainEqual({ method: "DELETE", path: "/api/devices/route-auth-device" });
  });

  it("is made by the route wrapper, with no error handling of its own", () => {
    for (const r of routes) {
      expect(r.source, r.file).not.toMatch(/\btry\s*\{/);
      expect(r.source, r.file).not.toMatch(/export\s+(async\s+)?function\s/);
      for (const method of r.methods) {
        expect(r.source, `${r.file} ${method}`).toMatch(
          new RegExp(`export const ${method} = (route\\(|routes\\.${method};)`),
        );
      }
    }
  });

  it.each(calls.filter((c) => !PUBLIC.has(`${c.method} ${c.path}`)))(
    "$method $path refuses a caller without credentials",
    async ({ method, path }) => {
      const res = await fetch(web.url + path, {
        method,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: method === "GET" || method === "HEAD" ? undefined : "{}",
        signal: AbortSignal.timeout(10_000),
      });
      expect(REFUSED).toContain(res.status);
      const body = await res.json();
      expect(body.error.code).toMatch(/^(unauthorized|forbidden|not_found|method_not_allowed)$/);
    },
  );

  it("keeps the public list short and real", () => {
    for (const entry of PUBLIC) expect(calls.map((c) => `${c.method} ${c.path}`)).toContain(entry);
  });
});

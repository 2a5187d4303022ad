import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  adminCookie,
  operatorApi,
  postData,
  uniqueDevice,
  viewerCookie,
  webUrl,
} from "@/test/http.ts";
import { ADMIN, login, VIEWER } from "@/test/operators.ts";
import { TestEventStream } from "@/test/sse.ts";
import { type RunningProcess, startWeb } from "@/test/stack.ts";

const anonymous = { cookie: "" };

describe("every operator route needs a session", () => {
  const routes: [string, string][] = [
    ["GET", "/api/fetch/device?id=x"],
    ["GET", "/api/fetch/sensor?id=1"],
    ["GET", "/api/devices"],
    ["POST", "/api/devices"],
    ["GET", "/api/devices/x"],
    ["PATCH", "/api/devices/x"],
    ["DELETE", "/api/devices/x"],
    ["POST", "/api/devices/x/token"],
    ["DELETE", "/api/devices/x/token"],
    ["POST", "/api/devices/x/commands"],
    ["GET", "/api/commands"],
    ["GET", "/api/gateways"],
    ["POST", "/api/gateways"],
    ["DELETE", "/api/gateways/x"],
    ["POST", "/api/gateways/x/token"],
    ["GET", "/api/users"],
    ["POST", "/api/users"],
    ["PATCH", "/api/users/x"],
    ["DELETE", "/api/users/x"],
    ["GET", "/api/auth/me"],
  ];

  it.each(routes)("%s %s without a session → 401", async (method, path) => {
    const res = await operatorApi(
      method,
      webUrl(path),
      method === "GET" || method === "DELETE" ? undefined : {},
      anonymous,
    );
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("unauthorized");
  });

  it.each(routes)("%s %s with a made-up session → 401", async (method, path) => {
    const cookie = "bocloud_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const res = await operatorApi(method, webUrl(path), undefined, { cookie });
    expect(res.status).toBe(401);
  });

  it.each(["/monitor", "/devices"])("the page %s redirects to sign-in", async (path) => {
    const res = await fetch(webUrl(path), { redirect: "manual" });
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(res.headers.get("location")).toContain(`/login?next=${encodeURIComponent(path)}`);
  });

  it("the stream refuses a client without a session, at the sidecar and through the web app", async () => {
    for (const url of [`${inject("streamUrl")}/api/stream`, webUrl("/api/stream")]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
    const signedIn = await fetch(webUrl("/api/stream"), { headers: { cookie: adminCookie() } });
    expect(signedIn.status).toBe(200);
    await signedIn.body?.cancel();
  });

  it("device endpoints take device tokens, never a session cookie", async () => {
    const web = await startWeb({ INGEST_AUTH: "token" });
    try {
      const res = await postData(
        { device_id: "x", sensors: { v: 1 } },
        { base: web.url, headers: { cookie: adminCookie() } },
      );
      expect(res.status).toBe(401);
    } finally {
      await web.stop();
    }
  });
});

describe("roles", () => {
  it.each([
    ["POST", "/api/devices", { device_id: "viewer-made" }],
    ["PATCH", "/api/devices/x", { name: "y" }],
    ["DELETE", "/api/devices/x", undefined],
    ["POST", "/api/devices/x/token", undefined],
    ["POST", "/api/devices/x/commands", { name: "ping" }],
    ["POST", "/api/gateways", { gateway_id: "viewer-gw" }],
    ["GET", "/api/users", undefined],
    ["POST", "/api/users", { username: "someone", password: "long enough pw", role: "admin" }],
  ])("a viewer gets 403 on %s %s", async (method, path, body) => {
    const res = await operatorApi(method, webUrl(path), body, { cookie: viewerCookie() });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("forbidden");
  });

  it("a viewer reads and watches", async () => {
    expect(
      (await operatorApi("GET", webUrl("/api/devices"), undefined, { cookie: viewerCookie() }))
        .status,
    ).toBe(200);
    const stream = await fetch(webUrl("/api/stream"), { headers: { cookie: viewerCookie() } });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
  });
});

describe("CSRF", () => {
  it("refuses a cross-origin state change, also a text/plain body carrying JSON", async () => {
    const evil = { origin: "http://evil.example" };
    const json = await operatorApi(
      "POST",
      webUrl("/api/devices"),
      { device_id: "csrf-1" },
      { headers: evil },
    );
    expect(json.status).toBe(403);
    const plain = await fetch(webUrl("/api/devices"), {
      method: "POST",
      headers: { ...evil, cookie: adminCookie(), "content-type": "text/plain" },
      body: JSON.stringify({ device_id: "csrf-2" }),
    });
    expect(plain.status).toBe(403);
    const fetchMetadata = await operatorApi(
      "POST",
      webUrl("/api/devices"),
      { device_id: "csrf-3" },
      {
        headers: { origin: "", "sec-fetch-site": "cross-site" },
      },
    );
    expect(fetchMetadata.status).toBe(403);
    const list = await operatorApi("GET", webUrl("/api/devices"));
    expect(list.json.devices.map((d: { device_id: string }) => d.device_id)).not.toContain(
      "csrf-1",
    );
    expect(list.json.devices.map((d: { device_id: string }) => d.device_id)).not.toContain(
      "csrf-2",
    );
  });

  it("checks the Origin's scheme as well as its host", async () => {
    const host = new URL(webUrl()).host;
    const create = (device: string, headers: Record<string, string>) =>
      operatorApi("POST", webUrl("/api/devices"), { device_id: device }, { headers });
    const [httpsOnHttp, httpBehindTls, httpsBehindTls] = [
      uniqueDevice("csrf-scheme"),
      uniqueDevice("csrf-scheme"),
      uniqueDevice("csrf-scheme"),
    ];
    // Reached over plain HTTP, an https:// page of the same host is another origin.
    expect((await create(httpsOnHttp, { origin: `https://${host}` })).status).toBe(403);
    // Behind a TLS proxy (X-Forwarded-Proto: https) it is ours, and http:// is not.
    const tls = { "x-forwarded-proto": "https" };
    expect((await create(httpBehindTls, { ...tls, origin: `http://${host}` })).status).toBe(403);
    expect((await create(httpsBehindTls, { ...tls, origin: `https://${host}` })).status).toBe(201);
    const list = await operatorApi("GET", webUrl("/api/devices"));
    const ids = list.json.devices.map((d: { device_id: string }) => d.device_id);
    expect(ids).not.toContain(httpsOnHttp);
    expect(ids).not.toContain(httpBehindTls);
  });

  it("accepts the same request from our own origin", async () => {
    const res = await operatorApi("POST", webUrl("/api/devices"), {
      device_id: uniqueDevice("same-origin"),
    });
    expect(res.status).toBe(201);
  });
});

describe("sessions", () => {
  it("signs in with HttpOnly SameSite=Lax cookies, Secure over HTTPS, and revokes on logout", async () => {
    const res = await fetch(webUrl("/api/auth/login"), {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/Expires=/);

    const cookie = await login(webUrl(), ADMIN);
    expect(
      (await operatorApi("GET", webUrl("/api/auth/me"), undefined, { cookie })).json.user,
    ).toEqual({
      username: ADMIN.username,
      role: "admin",
    });
    const out = await operatorApi("POST", webUrl("/api/auth/logout"), undefined, { cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    // The old cookie no longer works anywhere, whoever still holds it.
    expect((await operatorApi("GET", webUrl("/api/auth/me"), undefined, { cookie })).status).toBe(
      401,
    );
    const stream = await fetch(webUrl("/api/stream"), { headers: { cookie } });
    expect(stream.status).toBe(401);
  });

  it("ends an open stream soon after its session signs out, and no other", async () => {
    const cookie = await login(webUrl(), VIEWER);
    const device = uniqueDevice("signed-out");
    const url = `${inject("streamUrl")}/api/stream?device=${device}`;
    const leaving = new TestEventStream(url, { cookie });
    const staying = new TestEventStream(url, { cookie: adminCookie() });
    try {
      expect((await leaving.open()).status).toBe(200);
      expect((await staying.open()).status).toBe(200);
      await postData({ device_id: device, sensors: { v: 1 } });
      await expect.poll(() => [leaving.readings.length, staying.readings.length]).toEqual([1, 1]);

      expect(
        (await operatorApi("POST", webUrl("/api/auth/logout"), undefined, { cookie })).status,
      ).toBe(204);
      await expect.poll(() => leaving.ends, { timeout: 3000 }).toBe(1);
      expect((await leaving.open()).status).toBe(401); // what the browser's reconnect gets

      await postData({ device_id: device, sensors: { v: 2 } });
      await expect.poll(() => staying.readings.length).toBe(2);
      expect(staying.ends).toBe(0);
      expect(leaving.readings.length).toBe(1);
    } finally {
      leaving.close();
      staying.close();
    }
  });

  it("runs the first-run setup only while there is no user", async () => {
    const res = await operatorApi(
      "POST",
      webUrl("/api/auth/setup"),
      { username: "intruder", password: "a long password" },
      anonymous,
    );
    expect(res.status).toBe(409);
    const page = await fetch(webUrl("/setup"), { redirect: "manual" });
    expect(page.headers.get("location")).toContain("/login");
  });

  it("answers 429 with Retry-After to repeated failed logins", async () => {
    const wrong = { username: VIEWER.username, password: "not the password" };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const res = await operatorApi("POST", webUrl("/api/auth/login"), wrong, anonymous);
      statuses.push(res.status);
      retryAfter ??= res.headers.get("retry-after");
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Even the right password waits out the limit.
    expect((await operatorApi("POST", webUrl("/api/auth/login"), VIEWER, anonymous)).status).toBe(
      429,
    );
  });
});

describe("ingestion rate limits", () => {
  let web: RunningProcess;
  beforeAll(async () => {
    web = await startWeb({ INGEST_RATE_PER_SECOND: "3" });
  });
  afterAll(() => web?.stop());

  it("gives a device over its rate 429 with Retry-After while another keeps getting 201", async () => {
    const [noisy, quiet] = [uniqueDevice("noisy"), uniqueDevice("quiet")];
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        postData({ device_id: noisy, sensors: { v: 1 } }, { base: web.url }),
      ),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited[0].json.error.code).toBe("rate_limited");
    expect(
      (await postData({ device_id: quiet, sensors: { v: 1 } }, { base: web.url })).status,
    ).toBe(201);
  });
});

describe("security headers", () => {
  it("gives pages a nonce CSP that forbids framing, and every answer nosniff", async () => {
    const page = await fetch(webUrl("/login"));
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(await page.text()).toContain(`nonce="${nonce}"`);
    const api = await fetch(webUrl("/api/devices"));
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it.each([
    ["Purpose: prefetch", { purpose: "prefetch" }],
    ["Sec-Purpose: prefetch", { "sec-purpose": "prefetch" }],
    ["Next-Router-Prefetch: 1", { "next-router-prefetch": "1" }],
    ["RSC: 1", { rsc: "1" }],
  ])("gives every page its CSP, also when asked with %s", async (_, headers) => {
    for (const path of ["/", "/login", "/monitor", "/devices", "/no-such-page"]) {
      const res = await fetch(webUrl(path), {
        headers: { ...headers, cookie: adminCookie() },
        redirect: "manual",
      });
      await res.body?.cancel();
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(csp, path).toContain("frame-ancestors 'none'");
    }
  });
});

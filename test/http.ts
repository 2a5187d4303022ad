import { inject } from "vitest";

export function webUrl(path = ""): string {
  return inject("webUrl") + path;
}

export async function postData(
  body: unknown,
  init: { headers?: Record<string, string>; raw?: string; base?: string } = {},
): Promise<{ status: number; json: any; headers: Headers; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${init.base ?? webUrl()}/api/data`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: init.raw ?? JSON.stringify(body),
  });
  const json = await res.json();
  return { status: res.status, json, headers: res.headers, ms: performance.now() - started };
}

export const adminCookie = () => inject("adminCookie");
export const viewerCookie = () => inject("viewerCookie");

/** GET as the signed-in admin. */
export async function getJson(
  path: string,
  cookie = adminCookie(),
): Promise<{ status: number; json: any }> {
  const res = await fetch(webUrl(path), { headers: { cookie } });
  return { status: res.status, json: await res.json() };
}

/** An operator API call as a browser on our own pages would make it (session cookie, Origin). */
export async function operatorApi(
  method: string,
  url: string,
  body?: unknown,
  opts: { cookie?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: {
      "content-type": "application/json",
      origin: new URL(url).origin,
      cookie: opts.cookie ?? adminCookie(),
      ...opts.headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

let counter = 0;
/** A device id no other test uses. */
export function uniqueDevice(prefix = "dev"): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

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

export async function getJson(path: string): Promise<{ status: number; json: any }> {
  const res = await fetch(webUrl(path));
  return { status: res.status, json: await res.json() };
}

let counter = 0;
/** A device id no other test uses. */
export function uniqueDevice(prefix = "dev"): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

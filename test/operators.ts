// The test operators: the first admin (through the first-run setup) and a viewer.

export const ADMIN = { username: "admin", password: "correct horse battery" };
export const VIEWER = { username: "viewer", password: "staple battery horse" };

function cookieOf(res: Response): string {
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0];
  if (!cookie.startsWith("bocloud_session=")) throw new Error(`no session cookie (${res.status})`);
  return cookie;
}

async function post(base: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

export async function login(
  base: string,
  user: { username: string; password: string },
): Promise<string> {
  return cookieOf(await post(base, "/api/auth/login", user));
}

/** Creates the first admin and a viewer; returns both session cookies. */
export async function signIn(base: string): Promise<{ admin: string; viewer: string }> {
  const admin = cookieOf(await post(base, "/api/auth/setup", ADMIN));
  await post(base, "/api/users", { ...VIEWER, role: "viewer" }, admin);
  return { admin, viewer: await login(base, VIEWER) };
}

// An operator session for the bench: the fetch endpoints and the stream need one.
const USERNAME = "bench";
const PASSWORD = "bench-operator-password-0123456789";

/** `Cookie` header value of a session: creates the first admin, or signs in as it. */
export async function operatorCookie(webUrl: string): Promise<string> {
  const body = JSON.stringify({ username: USERNAME, password: PASSWORD });
  const headers = { "content-type": "application/json" };
  let res = await fetch(`${webUrl}/api/auth/setup`, { method: "POST", headers, body });
  if (res.status === 409 || res.status === 403)
    res = await fetch(`${webUrl}/api/auth/login`, { method: "POST", headers, body });
  if (res.status === 404) return ""; // a BoCloud without operator accounts
  if (!res.ok) throw new Error(`signing in: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("signing in: no session cookie");
  return cookie;
}

import { expect, test } from "@playwright/test";
import { ADMIN } from "../test/operators.ts";

test.use({ storageState: { cookies: [], origins: [] } });

test("sign in → the monitor shows live data → sign out → the monitor sends you to sign in", async ({
  page,
  request,
}) => {
  const cspViolations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto("/monitor");
  await expect(page).toHaveURL(/\/login\?next=%2Fmonitor$/);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill("wrong password!!");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong username or password.")).toBeVisible();
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/monitor$/);
  await expect(page.getByRole("status", { name: "Live stream connection" })).toHaveText(/Live/);

  const device = `auth-${Date.now().toString(36)}`;
  expect(
    (await request.post("/api/data", { data: { device_id: device, sensors: { t: 21 } } })).status(),
  ).toBe(201);
  await expect(
    page.locator('[data-panel-id="stream"] tbody tr').filter({ hasText: device }),
  ).toHaveCount(1);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/monitor");
  await expect(page).toHaveURL(/\/login\?next=%2Fmonitor$/);
  expect(cspViolations).toEqual([]);
});

test("signing out in one tab sends the monitor open in another tab to sign in", async ({
  context,
}) => {
  const signIn = await context.request.post("/api/auth/login", { data: ADMIN });
  expect(signIn.status()).toBe(200);
  const watching = await context.newPage();
  await watching.goto("/monitor");
  await expect(watching.getByRole("status", { name: "Live stream connection" })).toHaveText(/Live/);

  const other = await context.newPage();
  await other.goto("/monitor");
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other).toHaveURL(/\/login$/);

  // Its open stream is ended by the sidecar's session check; the reconnect gets 401.
  await expect(watching).toHaveURL(/\/login\?next=%2Fmonitor$/, { timeout: 10_000 });
});

test("a crafted ?next= cannot send the operator to another site after signing in", async ({
  page,
  baseURL,
}) => {
  const ours = new URL(baseURL ?? "").origin;
  const foreign: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(`${ours}/`)) foreign.push(r.url());
  });
  // Tab and line breaks are dropped by the browser (/%09/evil → //evil); a backslash is a slash.
  for (const next of [
    "/%09/evil.example/",
    "/%0A/evil.example/",
    "/%0D%0A/evil.example/",
    "//evil.example/",
    "/%5Cevil.example/",
    "/%5C%09evil.example/",
    "%2F%2Fevil.example/",
    "https://evil.example/",
  ]) {
    await page.goto(`/login?next=${next}`);
    await page.getByLabel("Username").fill(ADMIN.username);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => new URL(page.url()).pathname, { message: next }).not.toBe("/login");
    expect(foreign, next).toEqual([]);
    expect(page.url(), next).toBe(`${ours}/monitor`);
  }
  // A path of our own is still where signing in leads.
  await page.goto(`/login?next=${encodeURIComponent("/devices?x=1")}`);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${ours}/devices?x=1`);
});

import { type APIRequestContext, expect, type Page, test } from "@playwright/test";

const post = async (
  request: APIRequestContext,
  device_id: string,
  sensors: Record<string, unknown>,
) => {
  const res = await request.post("/api/data", { data: { device_id, sensors } });
  expect(res.status()).toBe(201);
  return (await res.json()).readings as { id: number; sensor_id: number }[];
};
const unique = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;

async function openMonitor(page: Page) {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/monitor");
  await expect(page.getByRole("status", { name: "Live stream connection" })).toHaveText(/Live/);
  return errors;
}

const panel = (page: Page, id: string) => page.locator(`[data-panel-id="${id}"]`);
const streamRows = (page: Page) => panel(page, "stream").locator("tbody tr");

/** A panel's place on the page (not the viewport), once the grid's animation has settled. */
async function box(page: Page, id: string) {
  const read = () =>
    panel(page, id).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return {
        x: Math.round(r.x + scrollX),
        y: Math.round(r.y + scrollY),
        width: Math.round(r.width),
        height: Math.round(r.height),
      };
    });
  let last = await read();
  for (;;) {
    await page.waitForTimeout(150);
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 5, from.y + 5);
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

test("a panel dragged by its handle and resized keeps its place and size after reload", async ({
  page,
}) => {
  await openMonitor(page);
  const devices = await box(page, "devices");
  const title = panel(page, "devices").locator(".panel-titlebar");
  const t = await title.boundingBox();
  if (!t) throw new Error("no title bar");
  // Drag the device list down below the stream panel, to the left.
  await drag(page, { x: t.x + 40, y: t.y + t.height / 2 }, { x: 60, y: 700 });
  await page.mouse.move(0, 0);
  const moved = await box(page, "devices");
  expect(moved.x).toBeLessThan(devices.x);

  await panel(page, "devices").hover();
  const handle = panel(page, "devices").locator(".react-resizable-handle-se");
  const h = await handle.boundingBox();
  if (!h) throw new Error("no resize handle");
  await drag(page, { x: h.x + h.width / 2, y: h.y + h.height / 2 }, { x: h.x + 300, y: h.y + 120 });
  const resized = await box(page, "devices");
  expect(resized.width).toBeGreaterThan(moved.width + 200);
  expect(resized.height).toBeGreaterThan(moved.height + 60);

  await page.reload();
  await expect(panel(page, "devices")).toBeVisible();
  await expect.poll(() => box(page, "devices")).toEqual(resized);
});

test("clicking a device and a sensor in the stream opens their panels; a closed panel stays closed", async ({
  page,
  request,
}) => {
  const errors = await openMonitor(page);
  const device = unique("click");
  const [reading] = await post(request, device, { temperature: 20.5 });
  const row = streamRows(page).filter({ hasText: device }).first();
  await row.getByRole("button", { name: device }).click();
  await expect(panel(page, `device:${device}`)).toContainText("temperature");

  await row.getByRole("button", { name: "temperature" }).click();
  const sensorPanel = panel(page, `sensor:${reading.sensor_id}`);
  await expect(sensorPanel.locator(".chart canvas")).toBeVisible();
  await expect(sensorPanel.getByTestId("sensor-latest")).toHaveText("20.5");

  await panel(page, `device:${device}`)
    .getByRole("button", { name: `Close Device ${device}` })
    .click();
  await expect(panel(page, `device:${device}`)).toHaveCount(0);
  await page.reload();
  await expect(panel(page, `sensor:${reading.sensor_id}`)).toBeVisible();
  await expect(panel(page, `device:${device}`)).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a posted reading shows in the stream, the open device panel and the chart within 2 s", async ({
  page,
  request,
}) => {
  const device = unique("live");
  const [first] = await post(request, device, { temperature: 18 });
  await page.addInitScript(
    ([d, s]) => {
      const layout = {
        version: 1,
        panels: [
          { kind: "stream", id: "stream", x: 0, y: 0, w: 6, h: 10 },
          { kind: "device", id: `device:${d}`, deviceId: d, x: 6, y: 0, w: 6, h: 10 },
          { kind: "sensor", id: `sensor:${s}`, sensorId: s, x: 0, y: 10, w: 12, h: 8 },
        ],
      };
      if (!sessionStorage.getItem("seeded")) {
        localStorage.setItem("bocloud.monitor.layout.v1", JSON.stringify(layout));
        sessionStorage.setItem("seeded", "1");
      }
    },
    [device, first.sensor_id] as const,
  );
  await openMonitor(page);
  const chart = panel(page, `sensor:${first.sensor_id}`).locator(".chart");
  await expect(chart).toHaveAttribute("data-points", "1");

  const [live] = await post(request, device, { temperature: 23.25 });
  const within = { timeout: 2000 };
  await expect(panel(page, "stream").locator(`tr[data-reading-id="${live.id}"]`)).toContainText(
    "23.25",
    within,
  );
  await expect(panel(page, `device:${device}`).getByTestId("latest-temperature")).toHaveText(
    "23.25",
    within,
  );
  await expect(
    panel(page, `device:${device}`).locator(`tr[data-reading-id="${live.id}"]`),
  ).toBeVisible(within);
  await expect(chart).toHaveAttribute("data-points", "2", within);
  await expect(panel(page, `sensor:${first.sensor_id}`).getByTestId("sensor-latest")).toHaveText(
    "23.25",
    within,
  );
});

test("freeze holds the stream still, unfreeze shows what came; with latest off the scroll stays", async ({
  page,
  request,
}) => {
  await openMonitor(page);
  const device = unique("freeze");
  const stream = panel(page, "stream");
  const freeze = stream.getByRole("button", { name: "Freeze" });
  await freeze.click();
  await post(request, device, { a: 1, b: 2, c: 3 });
  await expect(stream.getByRole("button", { name: /Unfreeze \(3 new\)/ })).toBeVisible();
  await expect(streamRows(page).filter({ hasText: device })).toHaveCount(0);
  await stream.getByRole("button", { name: /Unfreeze/ }).click();
  await expect(streamRows(page).filter({ hasText: device })).toHaveCount(3);

  // Fill the panel so it scrolls, turn "latest" off, scroll up, and post more.
  for (let i = 0; i < 4; i++)
    await post(
      request,
      device,
      Object.fromEntries(Array.from({ length: 10 }, (_, j) => [`s${j}`, i])),
    );
  await expect(streamRows(page).filter({ hasText: device })).toHaveCount(43);
  const latest = stream.getByRole("button", { name: "Latest" });
  await expect(latest).toHaveAttribute("aria-pressed", "true");
  const scroller = stream.getByTestId("stream-scroll");
  const atBottom = await scroller.evaluate(
    (el) => el.scrollHeight - el.clientHeight - el.scrollTop,
  );
  expect(atBottom).toBeLessThan(2);
  await latest.click();
  await expect(latest).toHaveAttribute("aria-pressed", "false");
  await scroller.evaluate((el) => {
    el.scrollTop = 40;
  });
  await post(request, device, { late: 1, later: 2 });
  await expect(streamRows(page).filter({ hasText: device })).toHaveCount(45);
  expect(await scroller.evaluate((el) => el.scrollTop)).toBe(40);
});

test("device-sent markup is shown as text and runs nothing", async ({ page, request }) => {
  let dialogs = 0;
  page.on("dialog", (d) => {
    dialogs++;
    void d.dismiss();
  });
  await openMonitor(page);
  const xss = "<img src=x onerror=alert(1)>";
  const device = unique("xss");
  await post(request, device, { state: xss });
  const row = streamRows(page).filter({ hasText: device });
  await expect(row.locator("td.value")).toHaveText(xss);
  await row.getByRole("button", { name: device }).click();
  await expect(panel(page, `device:${device}`).getByTestId("latest-state")).toHaveText(xss);
  expect(await page.locator("img[src=x]").count()).toBe(0);
  await page.waitForTimeout(300);
  expect(dialogs).toBe(0);
});

test("a corrupt stored layout gives the default layout and no page error", async ({ page }) => {
  await page.addInitScript(() =>
    localStorage.setItem("bocloud.monitor.layout.v1", '{"version":1,"panels":[{"kind":'),
  );
  const errors = await openMonitor(page);
  await expect(panel(page, "stream")).toBeVisible();
  await expect(panel(page, "devices")).toBeVisible();
  await expect(page.locator("[data-panel-id]")).toHaveCount(4);
  await expect(panel(page, "commands")).toBeVisible();
  await expect(panel(page, "alarms")).toBeVisible();
  expect(errors).toEqual([]);
});

test("reset restores the default layout; an exported layout imported elsewhere reproduces it", async ({
  page,
  browser,
  request,
}) => {
  await openMonitor(page);
  const defaults = { stream: await box(page, "stream"), devices: await box(page, "devices") };
  const device = unique("export");
  await post(request, device, { t: 1 });
  await streamRows(page)
    .filter({ hasText: device })
    .first()
    .getByRole("button", { name: device })
    .click();
  await expect(panel(page, `device:${device}`)).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export layout" }).click();
  const file = await (await download).path();
  expect(file).toBeTruthy();
  const exported = {
    stream: await box(page, "stream"),
    device: await box(page, `device:${device}`),
  };

  await page.getByRole("button", { name: "Reset layout" }).click();
  await expect(panel(page, `device:${device}`)).toHaveCount(0);
  expect({ stream: await box(page, "stream"), devices: await box(page, "devices") }).toEqual(
    defaults,
  );

  const fresh = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    viewport: { width: 1280, height: 800 },
  });
  const other = await fresh.newPage();
  await openMonitor(other);
  await other.locator('input[type="file"]').setInputFiles(file as string);
  await expect(panel(other, `device:${device}`)).toBeVisible();
  expect({
    stream: await box(other, "stream"),
    device: await box(other, `device:${device}`),
  }).toEqual(exported);
  await other.reload();
  await expect(panel(other, `device:${device}`)).toBeVisible();
  await fresh.close();

  await other.close().catch(() => {});
});

test("a narrow window stacks the panels in one column", async ({ page }) => {
  await page.setViewportSize({ width: 600, height: 900 });
  await openMonitor(page);
  const stream = await box(page, "stream");
  const devices = await box(page, "devices");
  expect(devices.y).toBeGreaterThan(stream.y + stream.height - 1);
  expect(Math.abs(devices.x - stream.x)).toBeLessThan(2);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect.poll(async () => (await box(page, "devices")).y).toBe((await box(page, "stream")).y);
});

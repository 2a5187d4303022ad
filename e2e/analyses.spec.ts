import { readFileSync } from "node:fs";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";

const unique = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e4)}`;
const panel = (page: Page, id: string) => page.locator(`[data-panel-id="${id}"]`);

/** `count` readings of one sensor spread evenly over the last `spanMs`, posted as one batch. */
async function history(request: APIRequestContext, device: string, count: number, spanMs: number) {
  const now = Date.now() - 60_000;
  const batch = Array.from({ length: count }, (_, i) => ({
    device_id: device,
    sensors: { temperature: 20 + 5 * Math.sin(i / 20) },
    ts: now - spanMs + (i * spanMs) / count,
  }));
  const res = await request.post("/api/data", { data: batch });
  expect(res.status()).toBe(201);
  return (await res.json()).readings[0].sensor_id as number;
}

async function openWith(page: Page, panels: object[]) {
  await page.addInitScript((layout) => {
    if (!sessionStorage.getItem("seeded")) {
      localStorage.setItem(
        "bocloud.monitor.layout.v1",
        JSON.stringify({ version: 1, panels: layout }),
      );
      sessionStorage.setItem("seeded", "1");
    }
  }, panels);
  await page.goto("/monitor");
}

test("dragging across a chart zooms in and loads a finer resolution", async ({ page, request }) => {
  const device = unique("zoom");
  const sensorId = await history(request, device, 1000, 6 * 86_400_000);
  await openWith(page, [
    { kind: "sensor", id: `sensor:${sensorId}`, sensorId, x: 0, y: 0, w: 12, h: 14 },
  ]);
  const sensor = panel(page, `sensor:${sensorId}`);
  await sensor.getByRole("button", { name: "7 d" }).click();
  const chart = sensor.locator(".chart");
  await expect(chart).toHaveAttribute("data-resolution", "bucket");
  const coarse = Number(await chart.getAttribute("data-bucket-ms"));
  expect(coarse).toBeGreaterThan(600_000);

  const plot = await chart.locator(".u-over").boundingBox();
  if (!plot) throw new Error("no plot area");
  await page.mouse.move(plot.x + plot.width * 0.45, plot.y + plot.height / 2);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.width * 0.5, plot.y + plot.height / 2, { steps: 10 });
  await page.mouse.up();

  await expect(sensor.getByRole("button", { name: "Earlier" })).toBeVisible();
  await expect
    .poll(async () => {
      const resolution = await chart.getAttribute("data-resolution");
      return resolution === "raw" ? 0 : Number(await chart.getAttribute("data-bucket-ms"));
    })
    .toBeLessThan(coarse / 5);
  expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThan(5);
});

test("the compare panel shows sensors of two devices on one chart", async ({ page, request }) => {
  const [a, b] = [unique("cmp-a"), unique("cmp-b")];
  await history(request, a, 30, 1_800_000);
  await history(request, b, 30, 1_800_000);
  await page.goto("/monitor");
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  const compare = panel(page, "compare");
  for (const device of [a, b]) {
    await compare.getByRole("combobox", { name: "Device" }).selectOption(device);
    await expect(
      compare
        .getByRole("combobox", { name: "Sensor" })
        .locator("option", { hasText: "temperature" }),
    ).toHaveCount(1);
    await compare.getByRole("combobox", { name: "Sensor" }).selectOption({ label: "temperature" });
    await compare.getByRole("button", { name: "Add to chart" }).click();
  }
  await expect(compare.locator(".legend li")).toHaveText([
    `${a} / temperature×`,
    `${b} / temperature×`,
  ]);
  await expect(compare.locator(".chart")).toHaveAttribute("data-series", "2");
  await expect(compare.locator(".chart")).not.toHaveAttribute("data-points", "0");
  await page.reload();
  await expect(panel(page, "compare").locator(".legend li")).toHaveCount(2);
});

test("export downloads the device's readings as a CSV file named after it", async ({
  page,
  request,
}) => {
  const device = unique("export");
  await history(request, device, 25, 600_000);
  await openWith(page, [
    { kind: "device", id: `device:${device}`, deviceId: device, x: 0, y: 0, w: 8, h: 10 },
  ]);
  const download = page.waitForEvent("download");
  await panel(page, `device:${device}`)
    .getByRole("link", { name: `Export device ${device} as CSV` })
    .click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^${device}.*\\.csv$`));
  const lines = readFileSync((await file.path()) as string, "utf8")
    .trim()
    .split("\n");
  expect(lines[0]).toMatch(/^id,device_id,sensor_id,sensor_type,value/);
  expect(lines).toHaveLength(26);
});

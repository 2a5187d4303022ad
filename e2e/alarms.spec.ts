import { expect, test } from "@playwright/test";

// An operator makes a rule on /alarms, a device breaches it, the alarm shows in the monitor's
// Alarms panel within 2 s, and is acknowledged from there.

test("a rule made on the page raises an alarm in the Alarms panel, acknowledged from it", async ({
  page,
  request,
}) => {
  const device = `e2e-alarm-${Date.now().toString(36)}`;
  const posted = await request.post("/api/data", {
    data: { device_id: device, sensors: { temperature: 20 } },
  });
  expect(posted.status()).toBe(201);
  const sensorId = (await posted.json()).readings[0].sensor_id;

  await page.goto("/alarms");
  const form = page.getByRole("form", { name: "New alarm rule" });
  await form.getByLabel("Name").fill("Too hot");
  await form.getByLabel("Severity").selectOption("critical");
  await form.getByRole("combobox", { name: "Device" }).selectOption(device);
  await form.getByLabel("Sensor type").fill("temperature");
  await form.getByRole("combobox", { name: "Condition", exact: true }).selectOption("gt");
  await form.getByLabel("Condition value").fill("30");
  await form.getByRole("button", { name: "Create rule" }).click();
  const row = page.locator("tr[data-rule-id]").filter({ hasText: "Too hot" });
  await expect(row).toContainText(`${device} / temperature`);
  await expect(row).toContainText("> 30");

  await page.goto("/monitor");
  const alarms = page.locator('[data-panel-id="alarms"]');
  await expect(alarms).toBeVisible();
  await expect(page.locator(".connection-live")).toBeVisible();

  const breach = await request.post("/api/data", {
    data: { device_id: device, sensors: { temperature: 31.5 } },
  });
  expect(breach.status()).toBe(201);
  const posted2 = Date.now();
  const item = alarms.locator("li[data-alarm-id]").filter({ hasText: device });
  await expect(item).toBeVisible({ timeout: 2000 });
  expect(Date.now() - posted2).toBeLessThan(2000);
  await expect(item).toHaveAttribute("data-status", "active");
  await expect(item.locator(".severity")).toHaveText("critical");
  await expect(item).toContainText(`Too hot on ${device} / temperature`);
  await expect(item).toContainText("31.5");
  // The Devices panel counts it.
  await expect(
    page
      .locator(`[data-panel-id="devices"] li[data-device-id="${device}"]`)
      .getByTestId("device-alarms"),
  ).toHaveText("1");

  await item.getByRole("button", { name: "Ack" }).click();
  await expect(item).toHaveAttribute("data-status", "acknowledged");
  await expect(item.getByTestId("alarm-status")).toHaveText("acknowledged");
  await expect(item).toContainText("ack by admin");
  await expect(item.getByRole("button", { name: "Ack" })).toHaveCount(0);

  const stored = await request.get(`/api/alarms?sensor=${sensorId}`);
  const [alarm] = (await stored.json()).alarms;
  expect(alarm).toMatchObject({ status: "acknowledged", acknowledged_by: "admin" });

  // The sensor's chart draws the threshold and the alarm's period.
  await item.getByRole("button", { name: `Too hot on ${device} / temperature` }).click();
  const chart = page.locator(`[data-panel-id="sensor:${sensorId}"] .chart`);
  await expect(chart).toHaveAttribute("data-thresholds", "1");
  await expect(chart).toHaveAttribute("data-alarm-periods", "1");
});

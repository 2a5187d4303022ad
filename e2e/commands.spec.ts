import { type ChildProcess, spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

let simulator: ChildProcess | undefined;
test.afterEach(() => {
  simulator?.kill("SIGTERM");
});

test("an operator sends a command from the control panel and watches the simulator carry it out", async ({
  page,
  baseURL,
  request,
}) => {
  const prefix = `e2e-${Date.now().toString(36)}-`;
  const device = `${prefix}greenhouse-1`;
  simulator = spawn(
    "node_modules/.bin/tsx",
    [
      "scripts/simulate.ts",
      "--url",
      String(baseURL),
      "--devices",
      "1",
      "--prefix",
      prefix,
      "--interval",
      "300",
      "--duration",
      "60",
      "--quiet",
    ],
    { stdio: "ignore" },
  );
  await expect
    .poll(async () => (await request.get(`/api/fetch/device?id=${device}`)).status(), {
      timeout: 15_000,
    })
    .toBe(200);

  await page.goto("/monitor");
  const panel = page.locator('[data-panel-id="commands"]');
  await expect(
    panel.getByRole("combobox", { name: "Device" }).locator(`option[value="${device}"]`),
  ).toHaveCount(1);
  await panel.getByRole("combobox", { name: "Device" }).selectOption(device);
  await panel.getByRole("textbox", { name: "Command" }).fill("set_interval");
  await panel.getByRole("textbox", { name: "Parameters (JSON)" }).fill('{"interval_ms": 400}');
  await panel.getByRole("button", { name: "Send" }).click();

  const row = panel.locator("tbody tr").filter({ hasText: device }).first();
  await expect(row.getByTestId("command-status")).toHaveText(/queued|delivered|succeeded/);
  await expect(row.getByTestId("command-status")).toHaveText("succeeded", { timeout: 10_000 });
  await expect(row).toContainText('{"interval_ms":400}');

  // The status panel shows the simulated device online.
  await expect(
    page.locator(`[data-panel-id="devices"] li[data-device-id="${device}"]`),
  ).toHaveAttribute("data-status", "online");
});

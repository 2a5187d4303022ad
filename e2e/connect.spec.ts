import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";

const run = promisify(execFile);

test("a new device shows how to connect it; its copied mosquitto_pub and curl commands work, and its row turns live", async ({
  page,
}) => {
  const device = `e2e-connect-${Date.now().toString(36)}`;
  await page.goto("/devices");
  await page.getByLabel("Device id").fill(device);
  await page.getByRole("button", { name: "Create device" }).click();

  const help = page.getByRole("region", { name: `Connect ${device}` });
  await expect(help).toBeVisible();
  const token = (await help.getByTestId("new-token").textContent()) ?? "";
  expect(token).toMatch(/^bcd_/);
  const mqtt = (await help.getByTestId("connect-mqtt").textContent()) ?? "";
  const curl = (await help.getByTestId("connect-curl").textContent()) ?? "";
  // The page's own host, the listener's port and the token, ready to run.
  expect(mqtt).toBe(
    `mosquitto_pub -h 127.0.0.1 -p ${process.env.E2E_MQTT_PORT} -u '${token}' -q 1 -t v1/devices/me/telemetry -m '{"temperature": 21.5}'`,
  );
  expect(curl).toContain(`${new URL(page.url()).origin}/api/data`);
  expect(curl).toContain(`Bearer ${token}`);
  const row = page.locator(`tr[data-device-id="${device}"]`);
  await expect(row).toContainText("offline");
  await expect(help.getByTestId("connect-status")).toHaveText("Waiting for its first reading…");

  // Run what the page shows, as an operator would paste it.
  await run("bash", ["-c", mqtt], { timeout: 10_000 });
  await expect(help.getByTestId("connect-status")).toHaveText(
    "Live: temperature = 21.5 just arrived.",
  );
  // mosquitto_pub disconnected at once (status from the connection: offline again); a device
  // that posts over HTTP is online until its timeout.
  const { stdout } = await run("bash", ["-c", `${curl} -s -o /dev/null -w '%{http_code}'`], {
    timeout: 10_000,
  });
  expect(stdout).toBe("201");
  await expect(row).toContainText("online");

  // Later, from its row: the same commands, the token no longer shown.
  await help.getByRole("button", { name: "Done" }).click();
  await expect(help).toBeHidden();
  await row.getByRole("button", { name: "Connect" }).click();
  await expect(help.getByTestId("connect-mqtt")).toContainText("-u '<token>'");
  await expect(help.getByTestId("new-token")).toHaveCount(0);
});

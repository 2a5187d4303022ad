// Takes the README's screenshot of the monitor: run BoCloud and the simulator first, then
//   npm run screenshot -- --url http://localhost:3000 --username admin --password '…'
// (or BOCLOUD_USERNAME / BOCLOUD_PASSWORD).
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "./chromium.ts";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    out: { type: "string", default: "docs/monitor.png" },
    username: { type: "string", default: process.env.BOCLOUD_USERNAME },
    password: { type: "string", default: process.env.BOCLOUD_PASSWORD },
  },
});

const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${args.url}/monitor`);
  if (page.url().includes("/login")) {
    await page.getByLabel("Username").fill(args.username ?? "");
    await page.getByLabel("Password").fill(args.password ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/monitor$/);
  }
  // The operator's arrangement: stream and a chart on top; devices, one device and the
  // control panel below.
  const sensor = await page.request.get(
    `${args.url}/api/fetch/sensor?device=greenhouse-1&type=temperature&limit=1`,
  );
  if (!sensor.ok())
    throw new Error(`no greenhouse-1 temperature yet (${sensor.status()}): run the simulator`);
  const sensorId = (await sensor.json()).sensor.id;
  const layout = {
    version: 1,
    panels: [
      { kind: "stream", id: "stream", x: 0, y: 0, w: 6, h: 10 },
      { kind: "sensor", id: `sensor:${sensorId}`, sensorId, x: 6, y: 0, w: 6, h: 10 },
      { kind: "devices", id: "devices", x: 0, y: 10, w: 3, h: 8 },
      {
        kind: "device",
        id: "device:greenhouse-1",
        deviceId: "greenhouse-1",
        x: 3,
        y: 10,
        w: 4,
        h: 8,
      },
      { kind: "commands", id: "commands", x: 7, y: 10, w: 5, h: 8 },
    ],
  };
  await page.evaluate(
    (l) => localStorage.setItem("bocloud.monitor.layout.v1", JSON.stringify(l)),
    layout,
  );
  await page.reload();
  await page.locator(".chart canvas").waitFor();
  await page.locator('[data-panel-id="stream"] tbody tr').nth(5).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(4000); // let a few live readings arrive
  await page.screenshot({ path: args.out, fullPage: false });
  console.log(`Saved ${args.out}`);
} finally {
  await browser.close();
}

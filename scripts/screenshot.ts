// Takes the README's screenshot of the monitor: run BoCloud and the simulator first, then
//   npm run screenshot -- --url http://localhost:3000 --username admin --password '…'
// (or BOCLOUD_USERNAME / BOCLOUD_PASSWORD).
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    out: { type: "string", default: "docs/monitor.png" },
    username: { type: "string", default: process.env.BOCLOUD_USERNAME },
    password: { type: "string", default: process.env.BOCLOUD_PASSWORD },
  },
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${args.url}/monitor`);
  if (page.url().includes("/login")) {
    await page.getByLabel("Username").fill(args.username ?? "");
    await page.getByLabel("Password").fill(args.password ?? "");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/monitor$/);
  }
  await page.locator("table.readings tbody tr").nth(5).waitFor({ timeout: 15_000 });
  // A device panel and a numeric sensor's chart, as an operator would open them.
  await page.locator("table.readings tbody tr").last().getByRole("button").first().click();
  const device = page.locator(".grid-item").nth(2);
  await device.locator(".tile").first().waitFor();
  const numericTile = device
    .locator(".tile")
    .filter({ hasText: /temperature|pressure|wind/ })
    .first();
  await numericTile.click();
  await page.locator(".chart canvas").waitFor();
  await page.waitForTimeout(4000); // let a few live readings arrive
  await page.screenshot({ path: args.out, fullPage: false });
  console.log(`Saved ${args.out}`);
} finally {
  await browser.close();
}

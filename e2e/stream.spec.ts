import { expect, test } from "@playwright/test";

test("Chromium's EventSource on /api/stream receives a reading posted to /api/data", async ({
  page,
  request,
}) => {
  const device = `e2e-${Date.now()}`;
  await page.goto("/");
  await page.evaluate((device) => {
    const w = window as unknown as { received: unknown[]; opened: boolean };
    w.received = [];
    w.opened = false;
    const source = new EventSource(`/api/stream?device=${device}`);
    source.onopen = () => (w.opened = true);
    source.addEventListener("reading", (e) => {
      const event = e as MessageEvent<string>;
      w.received.push({ lastEventId: event.lastEventId, ...JSON.parse(event.data) });
    });
  }, device);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { opened: boolean }).opened))
    .toBe(true);

  const res = await request.post("/api/data", {
    data: { device_id: device, sensors: { temperature: 19.5 } },
  });
  expect(res.status()).toBe(201);
  const [stored] = (await res.json()).readings;

  await expect
    .poll(() => page.evaluate(() => (window as unknown as { received: unknown[] }).received))
    .toEqual([{ ...stored, lastEventId: String(stored.id) }]);
});

import { expect, test } from "@playwright/test";

test("the home page says what BoCloud is", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("BoCloud");
  await expect(page.getByText("self-hosted IoT cloud")).toBeVisible();
  expect(errors).toEqual([]);
});

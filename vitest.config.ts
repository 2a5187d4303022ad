import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    include: ["{app,lib,components,stream-server,worker,mqtt-server,scripts,deploy}/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Integration tests share one database and one web server: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from "vitest/config";

// `npm run test:faults`: the fault suite (faults/), which runs BoCloud under its supervisor with
// a PostgreSQL and a Redis of its own and breaks them. It needs a build (npm run build).
export default defineConfig({
  resolve: { alias: { "@": import.meta.dirname } },
  test: {
    include: ["faults/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});

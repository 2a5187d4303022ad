// The worker's entry point: `node dist/worker.mjs` (or `tsx worker/main.ts`).
import { config } from "../lib/config.ts";
import { runProcess } from "../lib/process-main.ts";

await runProcess("worker", async () => {
  const { Worker } = await import("./worker.ts");
  return new Worker(config());
});

// The worker's entry point: `node dist/worker.mjs` (or `tsx worker/main.ts`).
import { ConfigError, config } from "../lib/config.ts";

try {
  config();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

process.env.BOCLOUD_PROC ??= "worker";
const { log } = await import("../lib/log.ts");
const { Worker } = await import("./worker.ts");
const worker = new Worker(config());

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "worker stopping");
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await worker.start();

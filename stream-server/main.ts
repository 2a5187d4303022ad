// The stream sidecar's entry point: `node dist/stream-server.mjs` (or `tsx stream-server/main.ts`).
import { ConfigError, config } from "../lib/config.ts";

try {
  config();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}

process.env.BOCLOUD_PROC ??= "stream";
const { log } = await import("../lib/log.ts");
const { StreamService } = await import("./service.ts");
const service = new StreamService(config());

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stream sidecar stopping");
    service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await service.start();

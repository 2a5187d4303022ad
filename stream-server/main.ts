// The stream sidecar's entry point: `node dist/stream.mjs` (or `tsx stream-server/main.ts`).
import { config } from "../lib/config.ts";
import { runProcess } from "../lib/process-main.ts";

await runProcess("stream", async () => {
  const { StreamService } = await import("./service.ts");
  return new StreamService(config());
});

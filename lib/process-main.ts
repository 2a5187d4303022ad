import { ConfigError, config } from "./config.ts";

interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The entry point of a Node process of BoCloud (stream, worker, …): validates the configuration
 * (a bad one exits 1 with a clear message, before anything is loaded), names the process in the
 * logs, starts the service and stops it cleanly on SIGTERM or SIGINT.
 */
export async function runProcess(name: string, load: () => Promise<Service>): Promise<void> {
  try {
    config();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
  process.env.BOCLOUD_PROC ??= name;
  // The logger reads the configuration as it loads: only after it is known to be valid.
  const { log } = await import("./log.ts");
  const service = await load();
  let stopping = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, `${name} stopping`);
      service.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  await service.start();
}

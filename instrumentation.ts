// Runs once when the Next.js server starts: a bad configuration stops it with a clear message.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { config } = await import("./lib/config.ts");
  if (config().INGEST_AUTH === "open") {
    const { log } = await import("./lib/log.ts");
    log.warn(
      "INGEST_AUTH=open: ANY client may post readings for ANY device and register new ones. " +
        "Use this for a lab or a demo only; set INGEST_AUTH=token for anything reachable from a network.",
    );
  }
}

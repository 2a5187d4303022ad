// Runs once when the Next.js server starts: a bad configuration stops it with a clear message.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { config } = await import("./lib/config.ts");
  config();
}

// BoCloud's processes, as the launcher runs them: built (npm start) or from source, reloading
// on change (npm run dev). A new process is one more entry here.
import { join } from "node:path";

interface BocloudProcess {
  name: string;
  /** npm start: the built entry point. */
  built: string;
  /** npm run dev: the source entry point, run with `tsx watch`. */
  source: string;
}

const NODE_PROCESSES: BocloudProcess[] = [
  { name: "stream", built: "dist/stream.mjs", source: "stream-server/main.ts" },
  { name: "worker", built: "dist/worker.mjs", source: "worker/main.ts" },
  { name: "mqtt", built: "dist/mqtt.mjs", source: "mqtt-server/main.ts" },
];

/** The commands for concurrently. `exec`, so that each is the supervisor's own child and gets its signals. */
export function bocloudCommands(
  root: string,
  mode: "start" | "dev",
): { name: string; command: string }[] {
  const node = process.execPath;
  const next = join(root, "node_modules/next/dist/bin/next");
  const tsx = join(root, "node_modules/tsx/dist/cli.mjs");
  return [
    { name: "web", command: `exec "${node}" "${next}" ${mode === "dev" ? "dev" : "start"}` },
    ...NODE_PROCESSES.map((p) => ({
      name: p.name,
      command:
        mode === "dev"
          ? `exec "${node}" "${tsx}" watch "${join(root, p.source)}"`
          : `exec "${node}" "${join(root, p.built)}"`,
    })),
  ];
}

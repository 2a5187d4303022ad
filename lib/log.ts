import pino from "pino";
import { config } from "./config.ts";

/** The process's logger; BOCLOUD_PROC names the process (web, stream, worker, …) in every line. */
export const log = pino({
  level: config().LOG_LEVEL,
  base: { proc: process.env.BOCLOUD_PROC ?? "web" },
});

import pino from "pino";
import { config } from "./config.ts";

export const log = pino({
  level: config().LOG_LEVEL,
  base: { service: process.env.BOCLOUD_SERVICE ?? "web" },
});

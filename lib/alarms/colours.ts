import type { Severity } from "./wire.ts";

/** One colour per severity: the monitor's badges and chart marks, Slack's attachments. */
export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: "#d1242f",
  major: "#e36209",
  minor: "#d4a72c",
  warning: "#2f81f7",
};

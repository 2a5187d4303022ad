import type { Severity } from "@/lib/alarms/wire.ts";

/** The severity as a coloured badge (colours in monitor.css), readable without colour too. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`severity severity-${severity}`} data-severity={severity}>
      {severity}
    </span>
  );
}

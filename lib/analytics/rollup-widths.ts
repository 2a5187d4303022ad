// The widths of the rollup windows in `reading_rollups` (width_ms). The SQL function
// bocloud_roll_up (prisma/migrations, lean_readings) holds the same three; TypeScript uses these.
export const MINUTE_MS = 60_000;
export const TEN_MINUTES_MS = 600_000;
export const HOUR_MS = 3_600_000;

// The widths of the rollup windows in `reading_rollups` (width_ms), finest first. The trigger
// functions in prisma/migrations hold the same three; everything in TypeScript uses these.
export const MINUTE_MS = 60_000;
export const TEN_MINUTES_MS = 600_000;
export const HOUR_MS = 3_600_000;
export const ROLLUP_WIDTHS_MS = [MINUTE_MS, TEN_MINUTES_MS, HOUR_MS] as const;

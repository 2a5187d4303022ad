// Bucket arithmetic of GET /api/aggregates, shared by the query and its tests. Times are epoch
// milliseconds; a bucket k of width w is [k·w, (k+1)·w), aligned to the epoch, so the same
// bucket has the same bounds whatever range it is seen from (a chart that pans does not shimmer).

import {
  HOUR_MS as HOUR,
  MINUTE_MS as MINUTE,
  TEN_MINUTES_MS as TEN_MINUTES,
} from "./rollup-widths.ts";

export const DEFAULT_POINTS = 600;
export const MAX_POINTS = 5000;

/** How many buckets of width `w` the inclusive range [fromMs, toMs] touches. */
export function bucketsTouched(fromMs: number, toMs: number, w: number): number {
  return Math.floor(toMs / w) - Math.floor(fromMs / w) + 1;
}

/**
 * Wide buckets are rounded up to whole minutes (from 1 hour: at most 1.7% wider) and to whole
 * 10 minutes (from 2 hours: at most 8.3% wider, 1.2% at a year into 600 points), so that their
 * boundaries fall on the boundaries of the minute and 10-minute rollups and no reading has to be
 * read one by one. Any width is possible; narrower ones are exact to the millisecond.
 */
function quantise(w: number): number {
  if (w >= 2 * HOUR) return Math.ceil(w / TEN_MINUTES) * TEN_MINUTES;
  if (w >= HOUR) return Math.ceil(w / MINUTE) * MINUTE;
  return w;
}

/**
 * The bucket width for at most `points` buckets over the inclusive range [fromMs, toMs]
 * (fromMs >= 0): ceil(span / points) with span = toMs - fromMs + 1 ms, rounded as above. When
 * the epoch-aligned grid would still touch points + 1 buckets, ceil(span / (points - 1))
 * instead (one whole bucket fewer fits, so at most `points`).
 */
export function bucketWidth(fromMs: number, toMs: number, points: number): number {
  const span = toMs - fromMs + 1;
  const w = quantise(Math.max(1, Math.ceil(span / points)));
  if (bucketsTouched(fromMs, toMs, w) <= points) return w;
  // One bucket for the whole range: the bucket that starts at the epoch.
  if (points === 1) return toMs + 1;
  return quantise(Math.ceil(span / (points - 1)));
}

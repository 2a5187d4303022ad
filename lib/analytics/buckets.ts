// Bucket arithmetic of GET /api/aggregates, shared by the query and its tests. Times are epoch
// milliseconds; a bucket k of width w is [k·w, (k+1)·w), aligned to the epoch, so the same
// bucket has the same bounds whatever range it is seen from (a chart that pans does not shimmer).

export const DEFAULT_POINTS = 600;
export const MAX_POINTS = 5000;

/** How many buckets of width `w` the inclusive range [fromMs, toMs] touches. */
export function bucketsTouched(fromMs: number, toMs: number, w: number): number {
  return Math.floor(toMs / w) - Math.floor(fromMs / w) + 1;
}

/**
 * The bucket width for at most `points` buckets over the inclusive range [fromMs, toMs]
 * (fromMs >= 0): ceil(span / points) with span = toMs - fromMs + 1 ms, which is any whole
 * number of milliseconds. When the epoch-aligned grid would still touch points + 1 buckets,
 * ceil(span / (points - 1)) instead (one whole bucket fewer fits, so at most `points`).
 */
export function bucketWidth(fromMs: number, toMs: number, points: number): number {
  const span = toMs - fromMs + 1;
  const w = Math.max(1, Math.ceil(span / points));
  if (bucketsTouched(fromMs, toMs, w) <= points) return w;
  // One bucket for the whole range: the bucket that starts at the epoch.
  if (points === 1) return toMs + 1;
  return Math.ceil(span / (points - 1));
}

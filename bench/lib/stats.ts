// Small statistics helpers shared by the suites and their child processes.

/** The q-quantile (0..1) of sorted values, linearly interpolated; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function sortNumbers(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export interface Latency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencyOf(values: Iterable<number>): Latency {
  const s = sortNumbers(values);
  return {
    count: s.length,
    p50: quantileSorted(s, 0.5),
    p99: quantileSorted(s, 0.99),
    max: s.length ? s[s.length - 1] : Number.NaN,
  };
}

export function median(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return quantileSorted(sortNumbers(finite), 0.5);
}

/**
 * A compact picture of a distribution: its count and 1001 quantiles (every 0.1 %), so
 * several processes' latencies can be merged without sending every value.
 */
export interface Sketch {
  count: number;
  q: number[];
}

export function sketchOf(sorted: ArrayLike<number>): Sketch {
  const q: number[] = [];
  if (sorted.length > 0) for (let i = 0; i <= 1000; i++) q.push(quantileSorted(sorted, i / 1000));
  return { count: sorted.length, q };
}

/** Merges sketches, each quantile standing for an equal share of its sketch's count. */
export function mergeSketches(sketches: Sketch[]): Latency {
  const points: { v: number; w: number }[] = [];
  let total = 0;
  for (const s of sketches) {
    if (s.count === 0) continue;
    total += s.count;
    for (const v of s.q) points.push({ v, w: s.count / s.q.length });
  }
  if (total === 0) return { count: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  points.sort((a, b) => a.v - b.v);
  const at = (q: number) => {
    const target = q * total;
    let acc = 0;
    for (const p of points) {
      acc += p.w;
      if (acc >= target) return p.v;
    }
    return points[points.length - 1].v;
  };
  return { count: total, p50: at(0.5), p99: at(0.99), max: points[points.length - 1].v };
}

/** A deterministic pseudo-random generator (mulberry32), so both sides of a comparison ask the same. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Milliseconds on CLOCK_MONOTONIC, the same clock in every process of this machine. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function round(v: number, digits = 2): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

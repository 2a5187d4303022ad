import { aggregateBuckets } from "../queries/aggregate-buckets.ts";
import type { SensorInfo } from "../queries/find-sensors.ts";
import { rawPoints } from "../queries/raw-points.ts";
import { bucketWidth } from "./buckets.ts";

export interface Bucket {
  /** Start of the bucket, k · bucket_ms (the first one may start before `from`). */
  start: string;
  count: number;
  min: number;
  max: number;
  avg: number;
  /** The value of the bucket's newest reading (by ts, then id). */
  last: number;
}

export interface RawPoint {
  id: number;
  ts: string;
  value: number;
}

interface SeriesBase {
  sensor: { id: number; device_id: string; type: string };
}

export type Series =
  | (SeriesBase & { resolution: "raw"; bucket_ms: null; readings: RawPoint[] })
  | (SeriesBase & { resolution: "bucket"; bucket_ms: number; buckets: Bucket[] });

export interface Aggregates {
  from: string;
  to: string;
  points: number;
  /** The width of the buckets of every series whose resolution is "bucket". */
  bucket_ms: number;
  series: Series[];
}

/**
 * Each sensor's numeric readings over [from, to] as at most `points` values: its raw readings
 * when the range holds at most `points` readings, else buckets of `bucket_ms`.
 */
export async function aggregateSeries(
  sensors: SensorInfo[],
  from: Date,
  to: Date,
  points: number,
): Promise<Aggregates> {
  // Readings start in 2000; a range reaching before the epoch starts at the epoch.
  const fromMs = Math.max(0, from.getTime());
  const toMs = Math.max(fromMs, to.getTime());
  const w = bucketWidth(fromMs, toMs, points);
  // Two sensors at a time: a request never takes more than two of the pool's connections.
  const series: Series[] = new Array(sensors.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sensors.length; i = next++) {
      series[i] = await sensorSeries(sensors[i], new Date(fromMs), new Date(toMs), points, w);
    }
  };
  await Promise.all([worker(), worker()]);
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    points,
    bucket_ms: w,
    series,
  };
}

async function sensorSeries(
  info: SensorInfo,
  from: Date,
  to: Date,
  points: number,
  w: number,
): Promise<Series> {
  const sensor = { id: Number(info.id), device_id: info.device_id, type: info.type };
  const raw = await rawPoints(info.id, from, to, points + 1);
  if (raw.length <= points) {
    const readings: RawPoint[] = [];
    for (const r of raw) {
      if (r.num_value !== null)
        readings.push({ id: Number(r.id), ts: r.ts.toISOString(), value: r.num_value });
    }
    return { sensor, resolution: "raw", bucket_ms: null, readings };
  }
  const rows = await aggregateBuckets(info.id, from.getTime(), to.getTime() + 1, w);
  return {
    sensor,
    resolution: "bucket",
    bucket_ms: w,
    buckets: rows.map((b) => ({
      start: new Date(b.start_ms).toISOString(),
      count: b.count,
      min: b.min,
      max: b.max,
      avg: b.avg,
      last: b.last,
    })),
  };
}

// What every suite gets: the options of the run, the running stack, and where rows go.
import type { RunningProcess } from "../../test/stack.ts";
import { median } from "./stats.ts";

export interface Options {
  quick: boolean;
  /** Runs of each measurement; figures are their medians. */
  runs: number;
}

/** One side of a comparison: its per-run figures and their medians. */
export interface Side {
  label: string;
  figures: Record<string, number>;
  runs: Record<string, number>[];
}

export interface Row {
  id: string;
  section: string;
  title: string;
  bocloud?: Side;
  baseline?: Side;
  /** BoCloud relative to the baseline: the median of the per-run ratios. */
  ratio?: { label: string; value: number; runs: number[] };
  target?: { text: string; met: boolean | null };
  note?: string;
  error?: string;
}

export interface Ctx extends Options {
  prefix: string;
  redisUrl: string;
  /** The private copy of the build the processes run from. */
  buildDir: string;
  ingestDb: string;
  ingestUrl: string;
  web: RunningProcess;
  /** The environment BoCloud's processes run with (database, channels, modes). */
  env: Record<string, string>;
  /** An operator's session cookie (the stream and the fetch endpoints need one). */
  cookie: string;
  stream: RunningProcess;
  rows: Row[];
  notes: string[];
  log: (s: string) => void;
}

export function side(label: string, runs: Record<string, number>[]): Side {
  const figures: Record<string, number> = {};
  for (const key of Object.keys(runs[0] ?? {})) figures[key] = median(runs.map((r) => r[key]));
  return { label, figures, runs };
}

export function ratioOf(label: string, runs: number[]): Row["ratio"] {
  return { label, value: median(runs), runs };
}

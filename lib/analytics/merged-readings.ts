import type { ReadingRow } from "../reading.ts";

type Keyset = { ts: Date; id: bigint };
type ReadPage = (sensorId: bigint, last: Keyset | null, limit: number) => Promise<ReadingRow[]>;

interface Source {
  sensorId: bigint;
  rows: ReadingRow[];
  at: number;
  last: Keyset | null;
  done: boolean;
}

const before = (a: ReadingRow, b: ReadingRow) => a.ts < b.ts || (+a.ts === +b.ts && a.id < b.id);

/**
 * Several sensors' readings as one sequence, oldest first (by ts, then id), each sensor read a
 * page at a time and a page only when its last one is used up: what is read is what is sent
 * (a merge of queries with a LIMIT would read every sensor's page to send one page).
 */
export class MergedReadings {
  private readonly sources: Source[];

  constructor(
    sensorIds: bigint[],
    private readonly read: ReadPage,
    private readonly pageSize: number,
  ) {
    this.sources = sensorIds.map((sensorId) => ({
      sensorId,
      rows: [],
      at: 0,
      last: null,
      done: false,
    }));
  }

  /** The next `n` readings; fewer when the end is reached. */
  async next(n: number): Promise<ReadingRow[]> {
    const out: ReadingRow[] = [];
    while (out.length < n) {
      await Promise.all(
        this.sources.filter((s) => s.at >= s.rows.length && !s.done).map((s) => this.refill(s)),
      );
      let first: Source | undefined;
      for (const s of this.sources) {
        if (s.at < s.rows.length && (!first || before(s.rows[s.at], first.rows[first.at])))
          first = s;
      }
      if (!first) break;
      out.push(first.rows[first.at++]);
    }
    return out;
  }

  private async refill(s: Source): Promise<void> {
    s.rows = await this.read(s.sensorId, s.last, this.pageSize);
    s.at = 0;
    s.done = s.rows.length < this.pageSize;
    const last = s.rows.at(-1);
    if (last) s.last = { ts: last.ts, id: last.id };
  }
}

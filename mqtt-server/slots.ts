/**
 * At most `size` holders at once; the others wait in line, first come first served. The listener
 * takes one per publish being stored, so a burst from many devices queues here, in order, rather
 * than in the database pool (whose wait is short and ends in an error).
 */
export class Slots {
  private held = 0;
  private readonly line: (() => void)[] = [];

  constructor(private readonly size: number) {}

  get waiting(): number {
    return this.line.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.held >= this.size) await new Promise<void>((resolve) => this.line.push(resolve));
    else this.held++;
    try {
      return await work();
    } finally {
      const next = this.line.shift();
      if (next) next();
      else this.held--;
    }
  }
}

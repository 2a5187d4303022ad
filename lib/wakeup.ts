/**
 * Wakes a loop that waits for work: `wake()` from wherever work appears (a live message), and
 * `wait()` resolves on the next wake, after `ms`, or when `signal` aborts. A wake that comes
 * while nobody waits is kept for the next wait, so none is lost between two passes.
 */
export class Wakeup {
  private woken = false;
  private waiter: (() => void) | undefined;

  wake(): void {
    this.woken = true;
    this.waiter?.();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.waiter = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (this.woken || signal?.aborted) return done();
      this.waiter = done;
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

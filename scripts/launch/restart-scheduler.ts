import type { RestartProcess } from "concurrently";

type Scheduler = NonNullable<ConstructorParameters<typeof RestartProcess>[0]["scheduler"]>;

/**
 * The longest wait before a process that died is started again. concurrently's exponential
 * backoff waits 2^n s after a process's n-th restart and never starts over, so without a cap a
 * process that had crashed a dozen times in the life of an install would stay down for an hour.
 */
export const MAX_RESTART_DELAY_MS = 30_000;

/**
 * The scheduler concurrently's RestartProcess times its restarts with (an RxJS scheduler: it
 * only ever asks for one-shot timers), waiting at most `maxMs`. Once `stopping` is aborted, a
 * restart still waiting never runs (concurrently itself would start the process anyway).
 */
export function cappedScheduler(opts: { maxMs?: number; stopping?: AbortSignal } = {}): Scheduler {
  const maxMs = opts.maxMs ?? MAX_RESTART_DELAY_MS;
  const scheduler = {
    now: () => Date.now(),
    schedule(work: (this: unknown, state?: unknown) => void, delay = 0, state?: unknown) {
      const action = {
        schedule: (next?: unknown, after?: number) => scheduler.schedule(work, after, next),
      };
      const timer = setTimeout(
        () => {
          if (!opts.stopping?.aborted) work.call(action, state);
        },
        Math.min(delay, maxMs),
      );
      const subscription = {
        closed: false,
        unsubscribe() {
          clearTimeout(timer);
          subscription.closed = true;
        },
      };
      return subscription;
    },
  };
  return scheduler as unknown as Scheduler;
}

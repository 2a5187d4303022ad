const MAX_DELAY_MS = 3_600_000;

/**
 * The pause after a delivery's `attempts`-th failure: base · 2^(attempts−1), at most an hour, of
 * which a random half ("equal jitter"), so receivers that come back are not hit all at once.
 */
export function retryDelayMs(attempts: number, baseMs: number, random = Math.random()): number {
  const full = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (full / 2) * random);
}

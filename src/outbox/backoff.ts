/** How retries of one message spread out in time. */
export interface BackoffOptions {
  /** Delay before the second attempt, before jitter. */
  baseMs: number;
  /** No delay grows beyond this. */
  maxMs: number;
}

/** Telegram answers a failed send within seconds; a few minutes is the longest a notification should wait between tries. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * Delay before the next attempt after `attempts` failed ones: exponential with
 * "equal jitter" (half fixed, half random), so many messages that failed
 * together (a platform outage) do not all come back in the same instant,
 * while each still waits at least half its step.
 * @example backoffDelay(3, DEFAULT_BACKOFF, Math.random) // between 2000 and 4000
 */
export function backoffDelay(attempts: number, opts: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, attempts - 1);
  // 2^30 already exceeds any sane maxMs; capping the exponent keeps the number finite.
  const step = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(exponent, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** A pending timer, as {@link Timers.setTimeout} returns it. */
export type TimerHandle = { readonly timer: unknown };

/**
 * Timers passed in explicitly, like the {@link Clock}, so that code with
 * time-outs (a WhatsApp login that never finishes, a browser that never
 * closes) is tested by moving a fixed clock instead of sleeping.
 */
export interface Timers {
  /** Run `fn` once after `ms`; never keeps the process alive on its own. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Node's own timers, unref'd. */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref?.();
    return { timer };
  },
  clearTimeout(handle) {
    if (handle) clearTimeout(handle.timer as NodeJS.Timeout);
  },
};

/**
 * `work`, or a rejection with a `TimeoutError` once `ms` have passed on `timers`.
 * The work itself is not cancelled; its late failure is swallowed.
 */
export function withTimeLimit<T>(work: Promise<T>, ms: number, timers: Timers, what = 'operation'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handle = timers.setTimeout(
      () => reject(Object.assign(new Error(`${what} timed out`), { name: 'TimeoutError' })),
      ms,
    );
    work.then(
      (v) => {
        timers.clearTimeout(handle);
        resolve(v);
      },
      (e: unknown) => {
        timers.clearTimeout(handle);
        reject(e);
      },
    );
  });
}

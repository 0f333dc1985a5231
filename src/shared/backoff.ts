/**
 * Time as the sources and their retry loops see it. Injectable so that tests can drive
 * timers; the default is the process clock. Handles returned by `setTimeout`
 * are opaque and only ever passed back to `clearTimeout`.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BackoffOptions {
  /** First delay, before jitter. */
  readonly initialMs: number;
  /** Ceiling of the delay, before jitter. */
  readonly maxMs: number;
  /** A number in [0, 1); Math.random by default. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": the n-th delay is drawn uniformly
 * from [d/2, d) where d = min(maxMs, initialMs * 2^n). The lower half keeps a
 * floor under every retry (no tight loop even with an unlucky random draw);
 * the upper half spreads many clients apart after a shared outage.
 */
export interface Backoff {
  /** The next delay in milliseconds; each call doubles the base up to maxMs. */
  next(): number;
  /** Back to initialMs; called after a success. */
  reset(): void;
  /** How many delays were handed out since the last reset. */
  readonly attempts: number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  if (!(options.initialMs > 0) || options.maxMs < options.initialMs) {
    throw new RangeError(`invalid backoff: initialMs=${options.initialMs} maxMs=${options.maxMs}`);
  }
  const random = options.random ?? Math.random;
  let attempts = 0;
  return {
    next() {
      const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempts, 30));
      attempts++;
      return base / 2 + (base / 2) * random();
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}

/**
 * Resolves after `ms`, or early (without rejecting) when `signal` aborts, so
 * that a closing source never waits out a backoff.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clock.clearTimeout(handle);
      resolve();
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

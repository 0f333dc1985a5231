/**
 * Coalesces bursts of changes: a batch is flushed once no new change arrived
 * for `quietMs`, or `maxDelayMs` after its first change, whichever comes
 * first. At most one flush runs at a time; changes arriving during a flush
 * start the next batch. Timers come from an injectable scheduler so tests can
 * use a fake clock.
 */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface CoalescerOptions<T> {
  quietMs: number;
  maxDelayMs: number;
  /** Handles one batch; the time of the batch's first change is passed for latency metrics. */
  flush(items: T[], firstAt: number): void | Promise<void>;
  scheduler?: Scheduler;
  onError?(err: unknown): void;
}

export interface Coalescer<T> {
  add(item: T): void;
  /** Flushes the pending batch now (used for new proxies, which must not wait). */
  flushNow(): Promise<void>;
  /** Number of items waiting. */
  pending(): number;
  close(): void;
}

export function createCoalescer<T>(opts: CoalescerOptions<T>): Coalescer<T> {
  const sched = opts.scheduler ?? realScheduler;
  let items: T[] = [];
  let firstAt = 0;
  let lastAt = 0;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let closed = false;

  const arm = () => {
    if (timer !== undefined) sched.clearTimeout(timer);
    const now = sched.now();
    const due = Math.min(lastAt + opts.quietMs, firstAt + opts.maxDelayMs);
    timer = sched.setTimeout(() => {
      timer = undefined;
      void run();
    }, Math.max(0, due - now));
  };

  const run = async (): Promise<void> => {
    if (running) {
      await running;
      if (items.length && timer === undefined) return run();
      return;
    }
    if (!items.length || closed) return;
    const batch = items;
    const at = firstAt;
    items = [];
    running = (async () => {
      try {
        await opts.flush(batch, at);
      } catch (err) {
        opts.onError?.(err);
      }
    })();
    await running;
    running = undefined;
    if (items.length && timer === undefined && !closed) arm();
  };

  return {
    add(item) {
      if (closed) return;
      const now = sched.now();
      if (!items.length) firstAt = now;
      lastAt = now;
      items.push(item);
      if (!running) arm();
    },
    async flushNow() {
      if (timer !== undefined) {
        sched.clearTimeout(timer);
        timer = undefined;
      }
      await run();
    },
    pending: () => items.length,
    close() {
      closed = true;
      if (timer !== undefined) sched.clearTimeout(timer);
      timer = undefined;
      items = [];
    },
  };
}

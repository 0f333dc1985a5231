/**
 * When streams' transports are woken to take their queued responses: after
 * the synchronous run that queued them, a batch of streams at a time. The
 * first batch runs as a microtask, so every response a cache produced in one
 * go is queued before a stream takes its first (its ADS order decides).
 * Further batches run in later turns of the event loop, so between two
 * batches Node's HTTP/2 sessions send what was written. Without this, an
 * update to thousands of streams wrote to every one of them before the first
 * byte left: the first half of the streams waited for the second half's
 * encoding and writing (bench/xds-fanout.ts prints that breakdown).
 */
export interface WakeBatches {
  /** Runs `wake` after the current synchronous run, in its turn. */
  schedule(wake: () => void): void;
}

/** Streams woken per batch: a batch writes a few milliseconds of responses before HTTP/2 may send. */
export const WAKE_BATCH = 64;

export function createWakeBatches(batchSize: number = WAKE_BATCH): WakeBatches {
  let queue: (() => void)[] = [];
  let scheduled = false;

  const run = () => {
    const batch = queue.length > batchSize ? queue.splice(0, batchSize) : queue;
    if (batch === queue) queue = [];
    for (const wake of batch) wake();
    if (queue.length > 0) setImmediate(run);
    else scheduled = false;
  };

  return {
    schedule(wake) {
      queue.push(wake);
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(run);
    },
  };
}

/** The process's batches: every stream of every server shares the event loop, so they share its turns. */
export const wakeBatches: WakeBatches = createWakeBatches();

/**
 * Drives a directory scan for watch-based sources: at most one scan runs at a
 * time, and requests made while one runs collapse into a single follow-up
 * scan; `schedule` debounces bursts of file-system events. A failed scan is
 * reported and the loop carries on.
 */
export interface RescanLoop {
  /** Scans now, or once more after the running scan; resolves when no scan is pending. */
  rescan(): Promise<void>;
  /** Scans `debounceMs` after the last call. */
  schedule(): void;
  /** Drops a scheduled scan, stops follow-ups and waits for the running scan. */
  close(): Promise<void>;
}

export function createRescanLoop(opts: { scan: () => Promise<void>; debounceMs: number; onError: (err: unknown) => void }): RescanLoop {
  let running: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let closed = false;

  const rescan = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await opts.scan();
        } catch (err) {
          opts.onError(err);
        }
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    rescan,
    schedule() {
      if (closed) return;
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => {
        debounce = undefined;
        void rescan();
      }, opts.debounceMs);
    },
    async close() {
      closed = true;
      if (debounce) clearTimeout(debounce);
      debounce = undefined;
      await running;
    },
  };
}

/**
 * Work only the leader does, kept in step with the model: it runs once when
 * leadership is gained and again after each `kick` (kicks are coalesced like
 * the pipeline's changes, and runs never overlap), retries with backoff
 * while a run reports failures, optionally re-runs every `resyncMs` (to undo
 * drift the model cannot see), and stops when leadership ends.
 *
 * `kick` never blocks and does nothing on a follower: callers (the
 * pipeline's onApplied) call it on every change that may matter.
 */
import { createBackoff, systemClock, type BackoffOptions, type Clock } from '../shared/backoff.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { createCoalescer, type Coalescer } from './coalescer.js';

/**
 * One leadership term's run: resolves true when everything was done, false
 * when something failed and should be retried. State that must not outlive
 * the term (what was written) lives in the closure `term` returns.
 * `resync`: the periodic re-run, which must not skip work because the model
 * did not change.
 */
export type LeaderRun = (how: { readonly resync: boolean }) => Promise<boolean>;

export interface LeaderWorkOptions {
  /** For logs. */
  readonly name: string;
  /** Called when leadership is gained; requests of the term's runs must abort with `signal`. */
  readonly term: (signal: AbortSignal) => LeaderRun;
  /** Coalescing of kicks: quiet window and longest wait (ms). */
  readonly quietMs: number;
  readonly maxDelayMs: number;
  /** Delays between retries of a failed run; default 1 s doubling to 60 s. */
  readonly retry?: BackoffOptions;
  /** Re-run this often while leading even without kicks; default never. */
  readonly resyncMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface LeaderWork {
  /** Starts a term (pass to the leader elector's onLeading): runs at once, then on kicks, until `signal` aborts. */
  lead(signal: AbortSignal): void;
  /** Something the work reads changed: run again soon, if leading. */
  kick(): void;
  /** Ends the current term's scheduling and resolves when its run in flight (if any) has ended. Idempotent. */
  close(): Promise<void>;
}

type Cause = 'kick' | 'resync';

interface Term {
  readonly coalescer: Coalescer<Cause>;
  readonly stop: () => void;
}

export function createLeaderWork(options: LeaderWorkOptions): LeaderWork {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  let current: Term | undefined;
  let inflight: Promise<void> | undefined;
  let closed = false;

  function lead(signal: AbortSignal): void {
    if (closed || signal.aborted) return;
    current?.stop();
    const run = options.term(signal);
    const backoff = createBackoff(options.retry ?? { initialMs: 1_000, maxMs: 60_000 });
    let retryTimer: unknown;
    let resyncTimer: unknown;
    let stopped = false;
    const ended = () => stopped || signal.aborted;
    const armResync = () => {
      if (options.resyncMs === undefined) return;
      clock.clearTimeout(resyncTimer);
      resyncTimer = clock.setTimeout(() => coalescer.add('resync'), options.resyncMs);
    };
    const once = async (resync: boolean) => {
      clock.clearTimeout(retryTimer);
      let done = false;
      try {
        done = await run({ resync });
      } catch (err) {
        if (!ended()) logger.error(`${options.name} failed`, { error: err instanceof Error ? err.message : String(err) });
      }
      if (ended()) return;
      armResync();
      if (done) {
        backoff.reset();
        return;
      }
      const delay = backoff.next();
      logger.warn(`${options.name}: retrying`, { inMs: Math.round(delay) });
      retryTimer = clock.setTimeout(() => coalescer.add('kick'), delay);
    };
    const coalescer = createCoalescer<Cause>({
      quietMs: options.quietMs,
      maxDelayMs: options.maxDelayMs,
      scheduler: clock,
      flush: (causes) => {
        if (ended()) return;
        const p = once(causes.includes('resync'));
        inflight = p;
        return p.finally(() => {
          if (inflight === p) inflight = undefined;
        });
      },
    });
    const term: Term = {
      coalescer,
      stop() {
        stopped = true;
        coalescer.close();
        clock.clearTimeout(retryTimer);
        clock.clearTimeout(resyncTimer);
        if (current === term) current = undefined;
      },
    };
    current = term;
    signal.addEventListener('abort', () => term.stop(), { once: true });
    coalescer.add('kick');
    void coalescer.flushNow();
  }

  return {
    lead,
    kick: () => current?.coalescer.add('kick'),
    async close() {
      closed = true;
      current?.stop();
      await inflight;
    },
  };
}

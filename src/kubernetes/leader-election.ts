/**
 * Leader election through a `coordination.k8s.io/v1` Lease, as client-go's
 * leaderelection package does it (same record, same rules, same default
 * timings: lease 15 s, renew deadline 10 s, retry 2 s with 1.2 jitter).
 *
 * Rules:
 * - A candidate reads the Lease every retry period. It takes the Lease when
 *   it is absent, has no holder, or has not changed for the lease duration
 *   *as observed on the candidate's own clock* (clocks are never compared
 *   across machines). Every write carries the resourceVersion read, so two
 *   candidates cannot both win (409 Conflict).
 * - The leader renews every retry period. If no renewal succeeded for the
 *   renew deadline, it stops leading at once, without waiting for a pending
 *   request: a timer aborts the leadership signal.
 * - Fencing: renew deadline < lease duration, so a leader that cannot renew
 *   (partitioned, stalled) has stopped its leader-only work before any other
 *   candidate can observe the Lease unchanged for the lease duration and take
 *   it. Leader-only work receives the leadership AbortSignal and must stop
 *   when it aborts.
 * - On close, a leader releases the Lease (empty holder, 1 s duration), so a
 *   rolling restart hands over in about one retry period.
 */
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from './errors.js';
import { sleep, systemClock, type Clock } from '../shared/backoff.js';
import type { KubeClient } from './kube-client.js';
import { Resources, resourcePath, type ObjectMeta } from './paths.js';
import { silentLogger, type Logger } from '../shared/logger.js';

/** client-go's defaults (and controller-runtime's). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor: waits between attempts are drawn from [retry, retry × 1.2). */
const JITTER = 1.2;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}

export interface LeaderElectorOptions {
  readonly client: KubeClient;
  /** Namespace and name of the Lease. */
  readonly namespace: string;
  readonly name: string;
  /** This candidate's identity (unique per process: pod name plus a random suffix). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  /** A number in [0, 1), for jitter; default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** What a candidate concludes from a Lease read at local time `now`. */
export type LeaseVerdict = 'create' | 'take' | 'renew' | 'held';

/**
 * The decision rule, on its own so it can be tested without a server:
 * `observedAt` is the local time this candidate first saw the current record.
 */
export function judgeLease(lease: Lease | undefined, identity: string, observedAt: number, now: number): LeaseVerdict {
  if (!lease) return 'create';
  const holder = lease.spec?.holderIdentity ?? '';
  if (holder === identity) return 'renew';
  if (holder === '') return 'take';
  const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  return observedAt + durationMs > now ? 'held' : 'take';
}

/**
 * Contract: `start` once; `close` stops campaigning, ends leadership (the
 * signal aborts) and releases the Lease if held; idempotent. Listeners run
 * synchronously; a throwing listener is logged.
 */
export interface LeaderElector {
  start(): void;
  close(): Promise<void>;
  isLeader(): boolean;
  /** The holder this candidate last read (itself when leading); undefined before the first read. */
  leader(): string | undefined;
  /**
   * Calls `work` each time this candidate becomes leader, with a signal that
   * aborts when that leadership ends. Returns the unsubscribe function.
   */
  onLeading(work: (signal: AbortSignal) => void): () => void;
  /** Calls `listener` when leadership ends (deadline missed, lease lost, close). */
  onStoppedLeading(listener: (reason: string) => void): () => void;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  const renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
  const retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
  if (!(leaseDurationMs > renewDeadlineMs)) throw new RangeError('leader election: the lease duration must exceed the renew deadline');
  if (!(renewDeadlineMs > retryPeriodMs * JITTER)) throw new RangeError('leader election: the renew deadline must exceed 1.2 × the retry period');
  const { client, identity } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const path = resourcePath(Resources.leases, { namespace: options.namespace, name: options.name });
  const collection = resourcePath(Resources.leases, { namespace: options.namespace });
  const where = `${options.namespace}/${options.name}`;

  const campaign = new AbortController();
  const leadingListeners = new Set<(signal: AbortSignal) => void>();
  const stoppedListeners = new Set<(reason: string) => void>();
  let observed: { record: string; at: number } | undefined;
  let lastHolder: string | undefined;
  let leadership: AbortController | undefined;
  let deadline: unknown;
  let running: Promise<void> | undefined;
  let closed = false;

  const notify = <A>(listeners: Set<(a: A) => void>, arg: A) => {
    for (const l of [...listeners]) {
      try {
        l(arg);
      } catch (err) {
        logger.error('leader election listener threw', { lease: where, error: errorMessage(err) });
      }
    }
  };

  const stopLeading = (reason: string) => {
    if (!leadership) return;
    clock.clearTimeout(deadline);
    const ended = leadership;
    leadership = undefined;
    ended.abort(new Error(`leadership ended: ${reason}`));
    logger.warn('stopped leading', { lease: where, identity, reason });
    notify(stoppedListeners, reason);
  };

  /**
   * (Re)arms the fence: leadership ends renewDeadline after the start of the
   * last successful renewal. Measured from the start (before the read), so a
   * slow answer cannot stretch it: no other candidate can have seen the
   * renewed record before that moment.
   */
  const renewed = (attemptStart: number) => {
    clock.clearTimeout(deadline);
    deadline = clock.setTimeout(() => stopLeading(`no renewal for ${renewDeadlineMs} ms`), Math.max(0, attemptStart + renewDeadlineMs - clock.now()));
  };

  const startLeading = (attemptStart: number) => {
    leadership = new AbortController();
    renewed(attemptStart);
    logger.info('became leader', { lease: where, identity });
    notify(leadingListeners, leadership.signal);
  };

  /** One read and, when allowed, one write. True when this candidate holds the Lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const request = { signal: campaign.signal, inactivityMs: renewDeadlineMs };
    let lease: Lease | undefined;
    try {
      lease = await client.get<Lease>(path, request);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const now = clock.now();
    const record = JSON.stringify(lease?.spec ?? null);
    if (!observed || observed.record !== record) observed = { record, at: now };
    lastHolder = lease?.spec?.holderIdentity || undefined;
    const verdict = judgeLease(lease, identity, observed.at, now);
    if (verdict === 'held') return false;
    const previous = lease?.spec ?? {};
    const spec: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: verdict === 'renew' && previous.acquireTime ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: verdict === 'create' ? 0 : verdict === 'renew' ? (previous.leaseTransitions ?? 0) : (previous.leaseTransitions ?? 0) + 1,
    };
    let written: Lease;
    try {
      written = lease
        ? await client.update<Lease>(path, { ...lease, spec }, request)
        : await client.create<Lease>(collection, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: options.name, namespace: options.namespace }, spec }, request);
    } catch (err) {
      // Someone else wrote first: they decide (read again next time).
      if (isConflict(err) || isAlreadyExists(err)) return false;
      throw err;
    }
    observed = { record: JSON.stringify(written.spec ?? null), at: now };
    lastHolder = identity;
    return true;
  }

  const attempt = async (): Promise<boolean> => {
    try {
      return await tryAcquireOrRenew();
    } catch (err) {
      if (!campaign.signal.aborted) logger.warn('leader election: lease request failed', { lease: where, identity, error: errorMessage(err) });
      return false;
    }
  };

  const jittered = () => retryPeriodMs * (1 + (JITTER - 1) * random());

  async function run(): Promise<void> {
    while (!closed) {
      const attemptStart = clock.now();
      if (await attempt()) {
        if (closed) break;
        if (!leadership) startLeading(attemptStart);
        else renewed(attemptStart);
        await sleep(clock, retryPeriodMs, campaign.signal);
      } else {
        // A failed renewal is retried; the fence ends leadership if none succeeds in time.
        await sleep(clock, leadership ? retryPeriodMs : jittered(), campaign.signal);
      }
    }
  }

  /** Gives the Lease up if this candidate still holds it (read again: a renewal may have been cut short by close). */
  async function release(): Promise<void> {
    try {
      const lease = await client.get<Lease>(path, { inactivityMs: renewDeadlineMs });
      if (lease.spec?.holderIdentity !== identity) return;
      const spec: LeaseSpec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(clock.now()) };
      await client.update(path, { ...lease, spec }, { inactivityMs: renewDeadlineMs });
    } catch (err) {
      logger.warn('leader election: releasing the lease failed', { lease: where, error: errorMessage(err) });
    }
  }

  return {
    start() {
      if (running) throw new Error('leader elector: start() called twice');
      running = run();
    },
    async close() {
      if (closed) return;
      closed = true;
      const wasLeader = !!leadership;
      campaign.abort();
      await running;
      stopLeading('closed');
      if (wasLeader) await release();
    },
    isLeader: () => !!leadership,
    leader: () => (leadership ? identity : lastHolder),
    onLeading(work) {
      leadingListeners.add(work);
      return () => leadingListeners.delete(work);
    },
    onStoppedLeading(listener) {
      stoppedListeners.add(listener);
      return () => stoppedListeners.delete(listener);
    },
  };
}

import type { KubeConfig } from '@kubernetes/client-node';
import { createBackoff, systemClock, type Clock } from '../../shared/backoff.js';
import { errorMessage } from '../../kubernetes/errors.js';
import { createKubeClient } from '../../kubernetes/kube-client.js';
import { loadKubeConfig } from '../../kubernetes/kube-config.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { Source, SourceEvent, SourceHandlers, SourceProblem } from '../../model/source-events.js';
import { createKindWatcher, type KindStatus, type KindWatcher } from './kind-watcher.js';
import { defaultKubernetesKinds, kindId, type KubernetesKind } from './kinds.js';

export interface KubernetesSourceOptions {
  /** API server, credentials and TLS; default `loadKubeConfig()` (KUBECONFIG, ~/.kube/config, in-cluster). */
  readonly kubeConfig?: KubeConfig;
  /** What to list and watch; default every kind the mesh uses (`defaultKubernetesKinds`). */
  readonly kinds?: readonly KubernetesKind[];
  /** LIST page size (`limit`); default 500. */
  readonly pageSize?: number;
  /**
   * A request that receives no byte for this long (not even a bookmark) is
   * aborted and started again from the last resourceVersion; default 5 min.
   */
  readonly watchInactivityTimeoutMs?: number;
  /**
   * Server-side `timeoutSeconds` of each watch; default 80–90 % of the
   * inactivity timeout (jittered), so a healthy server closes a quiet watch
   * before the client gives up on it.
   */
  readonly watchTimeoutSeconds?: number;
  /** Retry pacing after errors; default 500 ms doubling up to 30 s, with jitter. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** How often a kind the server does not serve (CRD missing) is tried again; default 60 s. */
  readonly unavailableRetryMs?: number;
  readonly clock?: Clock;
  /** A number in [0, 1), for jitter; default Math.random. */
  readonly random?: () => number;
  readonly logger?: Logger;
}

/**
 * The Kubernetes source (`--source kubernetes`). One list/watch loop per kind;
 * see kind-watcher.ts for the loop's rules. `ready` resolves once every kind
 * has either completed its first list or been found unavailable (a kind whose
 * CRD is not installed does not block readiness; its objects arrive as
 * upserts if it appears later). A kind that keeps failing for another reason
 * (server down, forbidden) holds `ready` back. Without a Kubernetes
 * configuration, `start` reports one problem (scope `kubernetes`) naming every
 * place it looked, and `ready` rejects with that error. `ready` also rejects
 * if the source is closed before it resolved (the rejection is pre-handled,
 * so not awaiting it is harmless).
 */
export interface KubernetesSource extends Source {
  /** One entry per kind, in the order of `kinds`. */
  status(): readonly KindStatus[];
}

export function createKubernetesSource(options: KubernetesSourceOptions = {}): KubernetesSource {
  const kinds = options.kinds ?? defaultKubernetesKinds;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const inactivityMs = options.watchInactivityTimeoutMs ?? 5 * 60_000;
  const backoffOptions = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  // One controller per kind loop: each loop's requests and sleeps listen on its
  // own signal, so 29 loops never put 29 listeners on one (MaxListenersExceededWarning).
  let controllers: AbortController[] = [];
  let watchers: KindWatcher[] = [];
  let runs: Promise<void>[] = [];
  let started = false;
  let closed = false;

  let resolveReady!: () => void;
  let rejectReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);

  const watchTimeoutSeconds = () =>
    options.watchTimeoutSeconds ?? Math.max(1, Math.floor((inactivityMs / 1000) * (0.8 + 0.1 * random())));

  function start(handlers: SourceHandlers): void {
    if (started) throw new Error('kubernetes source: start() called twice');
    started = true;
    if (closed) return;
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = options.kubeConfig ?? loadKubeConfig().kubeConfig;
    } catch (err) {
      logger.error('kubernetes source: cannot start', { error: errorMessage(err) });
      handlers.onProblems?.('kubernetes', [{ reason: errorMessage(err) }]);
      rejectReady(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const http = createKubeClient({ kubeConfig, clock });

    const emit = (events: SourceEvent[]) => {
      try {
        handlers.onEvents(events);
      } catch (err) {
        logger.error('kubernetes source: onEvents handler threw; the watch goes on', {
          error: err instanceof Error ? err.message : String(err),
          events: events.length,
        });
      }
    };
    const report = (scope: string, problems: SourceProblem[]) => {
      try {
        handlers.onProblems?.(scope, problems);
      } catch (err) {
        logger.error('kubernetes source: onProblems handler threw', { error: err instanceof Error ? err.message : String(err) });
      }
    };

    let pending = kinds.length;
    const settled = () => {
      pending--;
      if (pending === 0) resolveReady();
    };
    if (pending === 0) resolveReady();

    controllers = kinds.map(() => new AbortController());
    watchers = kinds.map((kind, i) => {
      const scope = `kubernetes:${kindId(kind)}`;
      return createKindWatcher({
        kind,
        http,
        clock,
        backoff: createBackoff({ ...backoffOptions, random }),
        pageSize: options.pageSize ?? 500,
        inactivityMs,
        watchTimeoutSeconds,
        unavailableRetryMs: options.unavailableRetryMs ?? 60_000,
        logger,
        signal: (controllers[i] as AbortController).signal,
        emit,
        report: (problems) => report(scope, problems),
        settled,
      });
    });
    runs = watchers.map((w) =>
      w.run().catch((err: unknown) => {
        logger.error('kubernetes source: a list/watch loop died', { error: err instanceof Error ? err.message : String(err) });
      }),
    );
  }

  return {
    name: 'kubernetes',
    ready,
    start,
    status: () => watchers.map((w) => w.status()),
    async close() {
      if (closed) return;
      closed = true;
      for (const c of controllers) c.abort();
      rejectReady(new Error('kubernetes source closed before it was ready'));
      await Promise.all(runs);
    },
  };
}

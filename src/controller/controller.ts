import { createSnapshotCache, type SnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createPipyRepoServer } from '../../server/pipy-repo/server.js';
import type { PipyRepoServer } from '../../server/pipy-repo/types.js';
import { createXdsServer, type XdsServer } from '../../server/transport/grpc-server.js';
import { createSidecarConfigSet, type SidecarConfigSet } from '../generate/pipy/config-set.js';
import { createModelStore, type ModelStore } from '../model/store.js';
import type { ModelChange, ProxyInfo } from '../model/view.js';
import { createAdminServer, type AdminServer } from '../observability/admin-http.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { loadBaseCodebase } from '../pipy-base/load-base-codebase.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { createFileSource } from '../sources/file/file-source.js';
import { createKubernetesSource } from '../sources/kubernetes/index.js';
import type { Source, SourceEvent } from '../sources/source.js';
import { createControllerCertificates, type ControllerCertificates } from './certificates.js';
import { createRootCertificates, type RootCertificates } from './root-certificates.js';
import { createCoalescer, type Coalescer } from './coalescer.js';
import { createConvergenceTracker, type ConvergenceTracker } from './convergence.js';
import { createDebugRoutes } from './debug-routes.js';
import type { ControllerOptions } from './options.js';
import { createXdsProxyAuthorizer, identifyProxy } from './proxy-auth.js';
import { codebaseName, createPublisher, type Publisher } from './publisher.js';
import { createSdsResources } from './sds-resources.js';
import { createServingTls, type ServingTls } from './serving-tls.js';

export interface ControllerDeps {
  logger?: Logger;
  /** Sources to use instead of the ones `options.sources` names (tests). */
  sources?: Source[];
}

export interface BoundAddresses {
  xds: number;
  repo: number;
  admin: number;
}

/**
 * fsm-controller: sources → model → coalescing → regeneration of the affected
 * proxies → caches → servers (Pipy repo, xDS), plus health, metrics and debug.
 * Constructors do no I/O: `start` binds ports and starts sources; `close`
 * stops accepting, drains streams and releases every handle.
 */
export interface Controller {
  start(): Promise<BoundAddresses>;
  close(): Promise<void>;
  /** Every source has synced and every known proxy has a config. */
  isReady(): boolean;
  readonly store: ModelStore;
  configs(): SidecarConfigSet;
  publisher(): Publisher;
  metrics: Metrics;
}

interface Batch {
  changes: readonly ModelChange[];
  /** Proxies to regenerate regardless of the changes (certificate rotations). */
  proxies?: readonly string[];
}

export function createController(options: ControllerOptions, deps: ControllerDeps = {}): Controller {
  const logger = deps.logger ?? silentLogger;
  const metrics = createMetrics();
  const store = createModelStore({ meshName: options.meshName, fsmNamespace: options.fsmNamespace, logger });
  const cache: SnapshotCache = createSnapshotCache({ logger });
  const sources: Source[] = deps.sources ?? options.sources.map((s) => (s.kind === 'file' ? createFileSource({ dir: s.dir, logger }) : createKubernetesSource({ logger })));
  let certs: ControllerCertificates | undefined;
  let configs: SidecarConfigSet | undefined;
  let publisher: Publisher | undefined;
  let repo: PipyRepoServer | undefined;
  let xds: XdsServer | undefined;
  let admin: AdminServer | undefined;
  let coalescer: Coalescer<Batch> | undefined;
  let convergence: ConvergenceTracker | undefined;
  let roots: RootCertificates | undefined;
  let servingTls: ServingTls | undefined;
  let sourcesReady = false;
  let closed = false;
  const unsubscribers: (() => void)[] = [];

  const proxiesOf = (uuids: Iterable<string>): ProxyInfo[] => {
    const out: ProxyInfo[] = [];
    for (const u of uuids) {
      const p = store.proxyByUuid(u);
      if (p) out.push(p);
    }
    return out;
  };

  /** Regenerates the affected proxies and publishes what changed. */
  const regenerate = async (batches: Batch[], firstAt: number): Promise<void> => {
    if (!configs || !publisher || !certs || !repo) return;
    const flushAt = Date.now();
    const changes = batches.flatMap((b) => b.changes);
    const affected = configs.affected(changes);
    for (const b of batches) for (const u of b.proxies ?? []) affected.add(u);
    metrics.eventsQueued.add(-batches.length);
    metrics.proxyBroadcastEventCount.add(1);
    const ensureStarted = performance.now();
    await certs.ensure(proxiesOf(affected));
    const started = performance.now();
    const result = configs.recompute(affected);
    const generated = performance.now();
    metrics.proxyRecomputeCount.add(result.recomputed);
    if (result.recomputed) metrics.proxyConfigUpdateTime.record((performance.now() - started) / 1000 / result.recomputed, { resource_type: 'pipy', success: 'true' });
    const names: string[] = [];
    for (const uuid of result.changed) {
      const proxy = store.proxyByUuid(uuid);
      const cfg = configs.get(uuid);
      if (!proxy || !cfg) continue;
      names.push(...publisher.publish(proxy, cfg));
      convergence?.expect(proxy, cfg.version, publisher.codebaseVersion(proxy) ?? '', firstAt);
    }
    for (const uuid of result.removed) {
      const name = publisher.remove(uuid);
      if (name) names.push(name);
      convergence?.forget(uuid);
    }
    repo.notifyChanged(names);
    if (result.changed.length || result.removed.length) {
      logger.info('proxies updated', {
        recomputed: result.recomputed,
        changed: result.changed.length,
        removed: result.removed.length,
        queuedMs: flushAt - firstAt,
        certificatesMs: Math.round(started - ensureStarted),
        generateMs: Math.round(generated - started),
        publishMs: Math.round(performance.now() - generated),
        sinceFirstEventMs: Date.now() - firstAt,
      });
    }
  };

  const addsProxy = (changes: readonly ModelChange[]) =>
    changes.some((c) => c.kind === 'Pod' && c.new?.metadata.labels?.['fsm-proxy-uuid'] && !c.old);

  const onEvents = (events: readonly SourceEvent[]) => {
    if (closed) return;
    for (const e of events) metrics.k8sApiEventCount.add(1, { type: e.type, kind: e.object.kind });
    const result = store.apply(events);
    if (result.changes.some((c) => c.kind === 'MeshRootCertificate')) void roots?.apply();
    // Before the initial sync completes, the first full generation covers every change.
    if (!result.changes.length || !coalescer || !sourcesReady) return;
    metrics.eventsQueued.add(1);
    coalescer.add({ changes: result.changes });
    // A new proxy must not wait for the quiet window (after the initial sync).
    if (addsProxy(result.changes)) void coalescer.flushNow();
  };

  const isReady = () => sourcesReady && !!configs && store.proxies().every((p) => configs!.get(p.uuid) !== undefined);

  return {
    store,
    metrics,
    configs: () => {
      if (!configs) throw new Error('controller not started');
      return configs;
    },
    publisher: () => {
      if (!publisher) throw new Error('controller not started');
      return publisher;
    },
    isReady,
    async start() {
      store.onError((e) => metrics.errCodeCount.add(1, { err_code: e.code ?? 'none' }));
      certs = await createControllerCertificates({
        view: store,
        trustDomain: options.trustDomain,
        ...(options.stateDir ? { stateDir: options.stateDir } : {}),
        logger,
      });
      const c = certs;
      metrics.setCertExpirySource(() => {
        const s = c.manager.secondsUntilEarliestExpiry();
        return s === undefined ? undefined : new Date(Date.now() + s * 1000);
      });
      unsubscribers.push(c.manager.onIssued((e) => {
        metrics.certIssuedCount.add(1);
        metrics.certIssuedTime.record(e.durationMs / 1000);
      }));
      roots = createRootCertificates({ view: store, certificates: c, fsmNamespace: options.fsmNamespace, logger });
      configs = createSidecarConfigSet({ view: store, certificates: c.source, trustDomain: options.trustDomain });
      const base = await loadBaseCodebase(options.pipyCodebase);
      publisher = createPublisher({ base, cache, extraResources: createSdsResources(c.manager) });
      convergence = createConvergenceTracker({ metrics, cache });
      coalescer = createCoalescer<Batch>({
        quietMs: options.quietMs,
        maxDelayMs: options.maxDelayMs,
        flush: regenerate,
        onError: (err) => logger.error('regeneration failed', { error: err instanceof Error ? err.stack : String(err) }),
      });
      unsubscribers.push(c.manager.onRotated((e) => {
        const uuids = store.proxies().filter((p) => p.identity === e.identity).map((p) => p.uuid);
        logger.info('certificate rotated', { identity: e.identity, reason: e.reason, proxies: uuids.length });
        // The controller's own serving certificate has no proxies (see serving-tls.ts).
        if (!uuids.length) return;
        metrics.eventsQueued.add(1);
        coalescer?.add({ changes: [], proxies: uuids });
      }));

      // The serving certificate is renewed by the manager and follows root
      // rotations; both servers take new material for new connections.
      servingTls = options.repoTls || options.xdsTls ? await createServingTls(c.manager, { fsmNamespace: options.fsmNamespace, logger }) : undefined;
      const tls = servingTls?.current();
      repo = createPipyRepoServer({
        listen: options.repoListen,
        codebases: publisher,
        logger,
        ...convergence.repoCallbacks(),
        ...(options.repoTls && tls
          ? {
              tls: {
                key: tls.key,
                cert: tls.cert,
                ca: tls.ca,
                authorize: (peer, codebase) => {
                  const id = identifyProxy(peer, store, options.trustDomain);
                  if (!id.ok) return new Error(`${id.code}: ${id.reason}`);
                  return codebaseName(id.proxy) === codebase ? true : new Error(`E5002: ${id.proxy.cnPrefix} may not read ${codebase}`);
                },
              },
            }
          : {}),
      });
      // MeshConfig sidecar.maxDataPlaneConnections (0: unlimited) caps xDS streams, read at start.
      const maxConnections = Number(store.meshConfig.spec.sidecar?.maxDataPlaneConnections ?? 0);
      xds = createXdsServer({
        watcher: cache,
        logger,
        callbacks: {
          ...convergence.xdsCallbacks(),
          onStreamRejected: (peer, reason) => {
            metrics.proxyMaxConnectionsRejected.add(1);
            logger.warn('xDS stream refused', { peer: peer.address, reason });
          },
        },
        ...(maxConnections > 0 ? { limits: { maxStreams: maxConnections } } : {}),
        ...(options.xdsTls && tls
          ? {
              tls: { key: tls.key, cert: tls.cert, ca: tls.ca },
              authorize: createXdsProxyAuthorizer(store, options.trustDomain),
            }
          : {}),
      });
      const [repoServer, xdsServer] = [repo, xds];
      servingTls?.onChange((m) => {
        if (options.repoTls) repoServer.setTls(m);
        if (options.xdsTls) xdsServer.setTls(m);
      });
      admin = createAdminServer({
        listen: options.adminListen,
        ...createDebugRoutes({ store, configs, publisher, cache, repo, metrics, isReady, sources, convergence }),
      });

      const [adminAddr, repoAddr, xdsPort] = await Promise.all([admin.start(), repo.start(), xds.listen(options.xdsListen)]);
      for (const s of sources) s.start({ onEvents, onProblems: (scope, problems) => store.setSourceProblems(scope, problems) });
      void Promise.all(sources.map((s) => s.ready)).then(
        async () => {
          if (closed) return;
          // Initial sync: roots first, then from now on changes go through the coalescer; generate every proxy once.
          await roots?.apply();
          sourcesReady = true;
          metrics.eventsQueued.add(1);
          coalescer?.add({ changes: [], proxies: store.proxies().map((p) => p.uuid) });
          await coalescer?.flushNow();
          logger.info('sources synced', { proxies: store.proxies().length });
        },
        (err: unknown) => logger.error('a source failed to sync', { error: String(err) }),
      );
      logger.info('fsm-controller serving', { xds: xdsPort, repo: repoAddr.port, admin: adminAddr.port });
      return { xds: xdsPort, repo: repoAddr.port, admin: adminAddr.port };
    },
    async close() {
      if (closed) return;
      closed = true;
      coalescer?.close();
      for (const u of unsubscribers) u();
      servingTls?.close();
      await Promise.all(sources.map((s) => s.close()));
      await Promise.all([xds?.close({ graceMs: 2000 }), repo?.close(), admin?.close()]);
      certs?.close();
      await metrics.shutdown();
    },
  };
}

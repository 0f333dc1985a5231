import { createSnapshotCache, type SnapshotCache } from '../../cache/snapshot-cache.js';
import { createPipyRepoServer } from '../../server/pipy-repo/server.js';
import type { PipyRepoServer } from '../../server/pipy-repo/types.js';
import { createXdsServer, type XdsServer } from '../../server/transport/grpc-server.js';
import { createSidecarConfigSet, type SidecarConfigSet } from '../generate/pipy/config-set.js';
import { createModelStore, type ModelStore } from '../model/store.js';
import type { ModelChange } from '../model/view.js';
import { createAdminServer, type AdminServer } from '../observability/admin-http.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { loadBaseCodebase } from '../pipy-base/load-base-codebase.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { defaultSourceRegistry } from '../sources/schemes.js';
import type { Source, SourceEvent } from '../model/source-events.js';
import { createControllerCertificates, type ControllerCertificates } from './certificates.js';
import { createRootCertificates, type RootCertificates } from './root-certificates.js';
import { createCoalescer, type Coalescer } from './coalescer.js';
import { createConvergenceTracker, type ConvergenceTracker } from './convergence.js';
import { createDebugRoutes } from './debug-routes.js';
import type { ControllerOptions } from './options.js';
import { createXdsProxyAuthorizer, identifyProxy } from './proxy-auth.js';
import { codebaseName, createPublisher, type Publisher } from './publisher.js';
import { createRegeneration, type RegenerationBatch } from './regeneration.js';
import { createRegistries } from './registries.js';
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

export function createController(options: ControllerOptions, deps: ControllerDeps = {}): Controller {
  const logger = deps.logger ?? silentLogger;
  const metrics = createMetrics();
  const store = createModelStore({ meshName: options.meshName, fsmNamespace: options.fsmNamespace, logger });
  const cache: SnapshotCache = createSnapshotCache({ logger });
  const sources: Source[] = deps.sources ?? options.sources.map((s) => defaultSourceRegistry().create(s, { logger, meshName: options.meshName }));
  const registries = createRegistries({
    store,
    registry: defaultSourceRegistry(),
    context: { logger, meshName: options.meshName },
    staticSpecs: deps.sources ? [] : options.sources,
    handlers: { onEvents: (events) => onEvents(events), onProblems: (scope, problems) => store.setSourceProblems(scope, problems) },
    logger,
  });
  let certs: ControllerCertificates | undefined;
  let configs: SidecarConfigSet | undefined;
  let publisher: Publisher | undefined;
  let repo: PipyRepoServer | undefined;
  let xds: XdsServer | undefined;
  let admin: AdminServer | undefined;
  let coalescer: Coalescer<RegenerationBatch> | undefined;
  let convergence: ConvergenceTracker | undefined;
  let roots: RootCertificates | undefined;
  let servingTls: ServingTls | undefined;
  let sourcesReady = false;
  let closed = false;
  const unsubscribers: (() => void)[] = [];

  const addsProxy = (changes: readonly ModelChange[]) =>
    changes.some((c) => c.kind === 'Pod' && c.new?.metadata.labels?.['fsm-proxy-uuid'] && !c.old);

  /**
   * Source events that arrived while a regeneration held the model (see
   * RegenerationDeps.holdModel): applied when it ends. They form the next
   * batch either way.
   */
  let held: (readonly SourceEvent[])[] | undefined;

  const onEvents = (events: readonly SourceEvent[]) => {
    if (closed) return;
    if (held) held.push(events);
    else applyEvents(events);
  };

  const applyEvents = (events: readonly SourceEvent[]) => {
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
      const regenerate = createRegeneration({
        view: store,
        configs,
        certificates: c,
        publisher,
        notifyChanged: (names) => repo?.notifyChanged(names),
        convergence,
        metrics,
        logger,
        holdModel: () => {
          held = [];
          return () => {
            const pending = held ?? [];
            held = undefined;
            for (const events of pending) if (!closed) applyEvents(events);
          };
        },
      });
      coalescer = createCoalescer<RegenerationBatch>({
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
        ...createDebugRoutes({ store, configs, publisher, cache, repo, metrics, isReady, sources, convergence, registries }),
      });

      const [adminAddr, repoAddr, xdsPort] = await Promise.all([admin.start(), repo.start(), xds.listen(options.xdsListen)]);
      registries.start();
      for (const s of sources) s.start({ onEvents, onProblems: (scope, problems) => store.setSourceProblems(scope, problems) });
      void Promise.all(sources.map((s) => s.ready)).then(
        async () => {
          if (closed) return;
          // Initial sync: roots first, then from now on changes go through the coalescer; generate every proxy once.
          await roots?.apply();
          await servingTls?.validityKnown();
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
      await registries.close();
      await Promise.all(sources.map((s) => s.close()));
      await Promise.all([xds?.close({ graceMs: 2000 }), repo?.close(), admin?.close()]);
      certs?.close();
      await metrics.shutdown();
    },
  };
}

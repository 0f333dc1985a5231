import { createLinearCache, type LinearCache } from '../../cache/linear-cache.js';
import { createSnapshotCache, type SnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { composeCallbacks } from '../../server/compose-callbacks.js';
import { createPipyRepoServer } from '../../server/pipy-repo/server.js';
import type { PipyRepoServer } from '../../server/pipy-repo/types.js';
import { createXdsServer, type XdsServer } from '../../server/transport/grpc-server.js';
import { createGatewayGenerator } from '../generate/gateway/generator.js';
import { createOutputSet } from '../generate/output-set.js';
import { createSidecarGenerator, sidecarCodebaseName, type SidecarConfigSet } from '../generate/sidecar/index.js';
import { createModelStore, type ModelStore } from '../model/store.js';
import type { Source } from '../model/source-events.js';
import type { ModelChange } from '../model/view.js';
import { createAdminServer, type AdminServer } from '../observability/admin-http.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { defaultGatewayBaseDir, loadBaseCodebase } from '../pipy-base/load-base-codebase.js';
import { silentLogger, type LevelledLogger, type Logger } from '../shared/logger.js';
import { defaultSourceRegistry } from '../sources/schemes.js';
import { createControllerCertificates, type ControllerCertificates } from './certificates.js';
import { createConvergenceTracker } from './convergence.js';
import { createDebugRoutes } from './debug-routes.js';
import { createGatewayDebugRoute } from './gateway-debug-route.js';
import { createGatewayOnKubernetes, type GatewayOnKubernetes } from './gateway-on-kubernetes.js';
import { createGatewayRepoAuthorizer } from './gateway-repo-authorizer.js';
import { createMeshConfigLogLevel } from './log-level.js';
import { createNodePublisher, type NodePublisher } from './node-publisher.js';
import type { ControllerOptions } from './options.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import { createRegistries, type Registries } from './registries.js';
import { createXdsProxyAuthorizer, identifyProxy } from './proxy-auth.js';
import { createRootCertificates } from './root-certificates.js';
import { createSdsResources } from './sds-resources.js';
import { webhookMetrics } from './webhook-metrics.js';
import { createServingTls, type ServingTls } from './serving-tls.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { createKubeSecretStorage } from '../certificate/storage/kube-secret-storage.js';
import { createKubeClient } from '../kubernetes/kube-client.js';
import { loadKubeConfig } from '../kubernetes/kube-config.js';
import { packageVersion } from '../shared/build-info.js';
import { createKubernetesOnboarding, type KubernetesOnboarding, type KubernetesOnboardingOptions } from './kubernetes-onboarding.js';

export interface ControllerDeps {
  logger?: Logger;
  /** Sources to use instead of the ones `options.sources` names (tests). */
  sources?: Source[];
  /** With `--source kubernetes`: the cluster to write to instead of the default kubeconfig (tests). */
  kubeConfig?: KubeConfig;
  /** Faster leader election and maintenance than the defaults (tests). */
  kubernetesTimings?: Pick<KubernetesOnboardingOptions, 'maintenanceIntervalMs' | 'leaderElection'>;
}

/** The controller's Service on Kubernetes: pods and the API server reach it as `fsm-controller.<fsmNamespace>`. */
const CONTROLLER_SERVICE = 'fsm-controller';

export interface BoundAddresses {
  xds: number;
  repo: number;
  admin: number;
}

/**
 * fsm-controller: the sources feed the pipeline (model → coalescing →
 * regeneration of the affected nodes of every generator → caches), the
 * servers read the caches (Pipy repo: the codebase cache; xDS: the snapshot
 * cache), and the admin port serves health, metrics and debug. This file
 * only wires. Constructors do no I/O: `start` binds ports and starts sources;
 * `close` stops accepting, drains streams and releases every handle. A
 * failed `start` releases whatever it had opened before rejecting.
 */
export interface Controller {
  start(): Promise<BoundAddresses>;
  close(): Promise<void>;
  /** Every source has synced and every node of every generator has an output. */
  isReady(): boolean;
  readonly store: ModelStore;
  /** The sidecar generator's outputs, by proxy uuid. */
  configs(): SidecarConfigSet;
  publisher(): NodePublisher;
  metrics: Metrics;
  /** The Kubernetes onboarding (injector, leader election) with `--source kubernetes`, once started. */
  kubernetes(): KubernetesOnboarding | undefined;
}

/** What `start` builds; everything here is closed by `close`. */
interface Running {
  certs: ControllerCertificates;
  pipeline: Pipeline;
  registries: Registries;
  sidecars: SidecarConfigSet;
  servingTls: ServingTls | undefined;
  onboarding: KubernetesOnboarding | undefined;
  gatewaysOnKubernetes: GatewayOnKubernetes | undefined;
  repo: PipyRepoServer;
  xds: XdsServer;
  admin: AdminServer;
  unsubscribers: (() => void)[];
}

export function createController(options: ControllerOptions, deps: ControllerDeps = {}): Controller {
  const logger = deps.logger ?? silentLogger;
  const store = createModelStore({ meshName: options.meshName, fsmNamespace: options.fsmNamespace, countErrorsAfterSync: true, logger });
  const metrics = createMetrics({ namespaceCount: () => store.namespaces().length, featureFlags: () => store.meshConfig.spec.featureFlags });
  const webhookCallbacks = webhookMetrics(metrics);
  const snapshots: SnapshotCache = createSnapshotCache({ logger });
  const codebases: LinearCache = createLinearCache(TypeUrl.PipyCodebase, { logger });
  const publisher = createNodePublisher({ snapshots, codebases });
  const registry = defaultSourceRegistry();
  const sources: Source[] = deps.sources ?? options.sources.map((s) => registry.create(s, { logger, meshName: options.meshName, manifestLimits: options.manifestLimits }));
  let running: Running | undefined;
  let starting: Partial<Running> & { unsubscribers: (() => void)[] } = { unsubscribers: [] };
  let closed = false;

  const release = async (r: Partial<Running> & { unsubscribers: (() => void)[] }) => {
    r.pipeline?.close();
    for (const u of r.unsubscribers) u();
    r.servingTls?.close();
    await r.registries?.close();
    await r.onboarding?.close();
    await r.gatewaysOnKubernetes?.close();
    await Promise.all(sources.map((s) => s.close()));
    await Promise.all([r.xds?.close({ graceMs: 2000 }), r.repo?.close(), r.admin?.close()]);
    await r.certs?.close();
  };

  async function start(): Promise<BoundAddresses> {
    const r = starting;
    metrics.start();
    store.onError((e) => metrics.errCodeCount.add(1, { err_code: e.code ?? 'none' }));
    // On Kubernetes the CA root and workload certificates live in Secrets of --fsm-namespace (shared by replicas).
    const kubeClient = options.kubernetes ? createKubeClient({ kubeConfig: deps.kubeConfig ?? loadKubeConfig().kubeConfig }) : undefined;
    const certs = (r.certs = await createControllerCertificates({
      view: store,
      trustDomain: options.trustDomain,
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(kubeClient ? { storage: createKubeSecretStorage({ client: kubeClient, namespace: options.fsmNamespace, logger }) } : {}),
      allowNewRoot: options.allowNewRoot,
      logger,
    }));
    metrics.setCertExpirySource(() => {
      const s = certs.manager.secondsUntilEarliestExpiry();
      return s === undefined ? undefined : new Date(Date.now() + s * 1000);
    });
    r.unsubscribers.push(certs.manager.onIssued((e) => {
      metrics.certIssuedCount.add(1);
      metrics.certIssuedTime.record(e.durationMs / 1000);
    }));
    const roots = createRootCertificates({ view: store, certificates: certs, fsmNamespace: options.fsmNamespace, logger });

    const sidecars = (r.sidecars = createOutputSet(
      createSidecarGenerator({
        base: await loadBaseCodebase(options.pipyCodebase),
        certificates: certs.source,
        trustDomain: options.trustDomain,
        xdsExtras: createSdsResources(certs.manager),
      }),
      store,
    ));
    // One codebase per Gateway of ours while MeshConfig gatewayAPI.enabled (docs/gateway.md).
    const gatewayGenerator = createGatewayGenerator({ base: await loadBaseCodebase(options.gatewayCodebase ?? (await defaultGatewayBaseDir())) });
    const gateways = createOutputSet(gatewayGenerator, store);
    const convergence = createConvergenceTracker({
      metrics,
      proxyLabels: (node) => {
        const proxy = node.generator === sidecars.generator.name ? store.proxyByUuid(node.key) : undefined;
        return proxy && { proxy_uuid: proxy.uuid, identity: proxy.identity };
      },
    });
    // MeshConfig observability.fsmLogLevel sets the level of a logger that can change it.
    const logLevel = 'setLevel' in logger ? createMeshConfigLogLevel({ store, logger: logger as LevelledLogger, bootLevel: options.logLevel, fsmNamespace: options.fsmNamespace }) : undefined;
    const onApplied = (changes: readonly ModelChange[]) => {
      r.registries?.applied(changes);
      r.gatewaysOnKubernetes?.applied(changes);
      if (changes.some((c) => c.kind === 'MeshRootCertificate')) void roots.apply();
      if (changes.some((c) => c.kind === 'MeshConfig')) {
        r.xds?.setMaxStreams(store.meshConfig.spec.sidecar.maxDataPlaneConnections);
        logLevel?.apply();
      }
    };
    const pipeline = (r.pipeline = createPipeline({
      store,
      generators: [
        {
          set: sidecars,
          prepare: (uuids) => certs.ensure(uuids.flatMap((u) => store.proxyByUuid(u) ?? [])),
        },
        { set: gateways },
      ],
      publisher,
      convergence,
      metrics,
      logger,
      quietMs: options.quietMs,
      maxDelayMs: options.maxDelayMs,
      onApplied,
    }));
    r.unsubscribers.push(certs.manager.onRotated((e) => {
      const uuids = store.proxies().filter((p) => p.identity === e.identity).map((p) => p.uuid);
      logger.info('certificate rotated', { identity: e.identity, reason: e.reason, proxies: uuids.length });
      // The controller's own serving certificate has no proxies (see serving-tls.ts).
      pipeline.regenerate(uuids.map((key) => ({ generator: 'sidecar', key })));
    }));
    // Connector objects start registry sources at run time; sync=true registers mesh services into registries.
    const registries = (r.registries = createRegistries({
      store,
      registry,
      context: { logger, meshName: options.meshName },
      staticSpecs: deps.sources ? [] : options.sources,
      handlers: { onEvents: pipeline.onEvents, onProblems: (scope, problems) => store.setSourceProblems(scope, problems) },
      logger,
    }));

    // The serving certificate is renewed by the manager and follows root
    // rotations; both servers take new material for new connections.
    const servingTls = (r.servingTls = options.repoTls || options.xdsTls || options.kubernetes?.injector ? await createServingTls(certs.manager, { fsmNamespace: options.fsmNamespace, logger }) : undefined);
    if (kubeClient && options.kubernetes) {
      if (options.kubernetes.plainHttp) {
        logger.warn("serving sidecars without TLS on Kubernetes: anyone who reaches the repo or xDS port can read every proxy's private key", { repoTls: options.repoTls, xdsTls: options.xdsTls });
      }
      r.onboarding = createKubernetesOnboarding({
        client: kubeClient,
        view: store,
        meshName: options.meshName,
        fsmNamespace: options.fsmNamespace,
        trustDomain: options.trustDomain,
        version: packageVersion(),
        service: CONTROLLER_SERVICE,
        tls: options.repoTls,
        injector: options.kubernetes.injector,
        webhookCallbacks,
        ...deps.kubernetesTimings,
        logger,
      });
      // The leader writes the gateways' status and runs their Deployments (docs/gateway.md, "On Kubernetes").
      const onKubernetes = (r.gatewaysOnKubernetes = createGatewayOnKubernetes({
        client: kubeClient,
        view: store,
        generator: gatewayGenerator,
        meshName: options.meshName,
        fsmNamespace: options.fsmNamespace,
        controllerService: CONTROLLER_SERVICE,
        tls: options.repoTls,
        certificates: certs.manager,
        quietMs: options.quietMs,
        maxDelayMs: options.maxDelayMs,
        logger,
      }));
      r.unsubscribers.push(r.onboarding.onLeading((signal) => onKubernetes.lead(signal)));
    }
    const onboarding = r.onboarding;
    const tls = servingTls?.current();
    const repo = (r.repo = createPipyRepoServer({
      listen: options.repoListen,
      codebases,
      logger,
      ...convergence.repoCallbacks(),
      ...(options.repoTls && tls
        ? {
            tls: {
              key: tls.key,
              cert: tls.cert,
              ca: tls.ca,
              authorize: createGatewayRepoAuthorizer({
                trustDomain: options.trustDomain,
                sidecars: (peer, codebase) => {
                  const id = identifyProxy(peer, store, options.trustDomain);
                  if (!id.ok) return new Error(`${id.code}: ${id.reason}`);
                  return sidecarCodebaseName(id.proxy) === codebase ? true : new Error(`E5010: ${id.proxy.cnPrefix} may not read ${codebase}`);
                },
              }),
            },
          }
        : {}),
    }));
    // MeshConfig sidecar.maxDataPlaneConnections (0: unlimited) caps xDS streams; followed live (onApplied).
    const maxConnections = store.meshConfig.spec.sidecar.maxDataPlaneConnections;
    const xds = (r.xds = createXdsServer({
      watcher: snapshots,
      logger,
      callbacks: composeCallbacks(convergence.xdsCallbacks(), {
        onStreamRejected: (peer, reason) => {
          metrics.proxyMaxConnectionsRejected.add(1);
          logger.warn('xDS stream refused', { peer: peer.address, reason });
        },
      }),
      ...(maxConnections > 0 ? { limits: { maxStreams: maxConnections } } : {}),
      ...(options.xdsTls && tls
        ? {
            tls: { key: tls.key, cert: tls.cert, ca: tls.ca },
            authorize: createXdsProxyAuthorizer(store, options.trustDomain),
          }
        : {}),
    }));
    servingTls?.onChange((m) => {
      if (options.repoTls) repo.setTls(m);
      if (options.xdsTls) xds.setTls(m);
    });
    const admin = (r.admin = createAdminServer({
      listen: options.adminListen,
      ...createDebugRoutes({
        store,
        sidecars,
        publisher,
        snapshots,
        repo,
        metrics,
        isReady: pipeline.isReady,
        sources,
        convergence,
        registries,
        debug: options.debug,
        more: {
          '/debug/gateways': createGatewayDebugRoute({
            view: store,
            generator: gatewayGenerator,
            publishedVersion: (name) => codebases.getResources().get(name)?.version,
            instances: () => repo.instances(),
          }),
        },
      }),
    }));

    // Every bind settles before a failure is reported, so release() never races a listen still in flight.
    const [adminAddr, repoAddr, xdsPort] = await settleAll([
      admin.start().catch((err: unknown) => Promise.reject(listenError('--admin-listen', options.adminListen, err))),
      repo.start().catch((err: unknown) => Promise.reject(listenError('--repo-listen', options.repoListen, err))),
      xds.listen(options.xdsListen).catch((err: unknown) => Promise.reject(listenError('--xds-listen', options.xdsListen, err))),
    ] as const);
    registries.start();
    for (const s of sources) s.start({ onEvents: pipeline.onEvents, onProblems: (scope, problems) => store.setSourceProblems(scope, problems) });
    void Promise.all(sources.map((s) => s.ready)).then(
      async () => {
        if (closed) return;
        // Initial sync: roots first, then every node once; from then on changes go through the coalescer.
        await roots.apply();
        await servingTls?.validityKnown();
        store.sourcesSynced();
        await onboarding?.start({ certificates: certs.manager, servingTls }).catch((err: unknown) => logger.error('the sidecar injector did not start', { error: String(err) }));
        await pipeline.synced();
        logger.info('sources synced', { proxies: store.proxies().length });
      },
      (err: unknown) => logger.error('a source failed to sync', { error: String(err) }),
    );
    logger.info('fsm-controller serving', { xds: xdsPort, repo: repoAddr.port, admin: adminAddr.port });
    return { xds: xdsPort, repo: repoAddr.port, admin: adminAddr.port };
  }

  return {
    store,
    metrics,
    configs: () => {
      const s = running?.sidecars ?? starting.sidecars;
      if (!s) throw new Error('controller not started');
      return s;
    },
    publisher: () => publisher,
    kubernetes: () => (running ?? starting).onboarding,
    isReady: () => (running ?? starting).pipeline?.isReady() ?? false,
    async start() {
      if (closed) throw new Error('controller closed');
      try {
        const bound = await start();
        running = starting as Running;
        return bound;
      } catch (err) {
        // Nothing opened so far may keep the process alive.
        closed = true;
        await release(starting);
        metrics.close();
        throw err;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await release(running ?? starting);
      starting = { unsubscribers: [] };
      metrics.close();
    },
  };
}

/** Awaits every promise; rejects with the first failure once all have settled. */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A bind failure, naming the flag and the address. */
function listenError(flag: string, address: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(`${flag} ${address}: cannot listen: ${reason}`);
}

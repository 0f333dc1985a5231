/**
 * What fsm-controller does on a cluster besides reading it: the sidecar
 * injector's webhook server (every replica serves admissions), and, on the
 * replica that holds the `coordination.k8s.io/v1` Lease, the work that must
 * happen once: keeping the MutatingWebhookConfiguration's caBundle equal to
 * the mesh trust bundle, and adopting or collecting bootstrap Secrets.
 * Leader-only work runs under the leadership signal and stops when it
 * aborts (see src/kubernetes/leader-election.ts for the fencing rule);
 * other leader-only work (the gateways' status and Deployments) registers
 * with `onLeading` and runs under the same Lease.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { CertificateManager } from '../certificate/manager.js';
import { createBootstrapCollector, type BootstrapCollector, type SweepResult } from '../injector/bootstrap-collector.js';
import { createInjector, type InjectorMeshSettings, type InjectorView } from '../injector/injector.js';
import { ensureWebhookConfiguration, type WebhookConfigurationSpec } from '../injector/webhook-configuration.js';
import { createWebhookServer, type WebhookServer, type WebhookServerOptions } from '../injector/webhook-server.js';
import { sleep, systemClock } from '../shared/backoff.js';
import { errorMessage } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import { createLeaderElector, type LeaderElector, type LeaderElectorOptions } from '../kubernetes/leader-election.js';
import { Resources, resourcePath, type ObjectList, type ObjectMeta } from '../kubernetes/paths.js';
import type { MeshConfigSpec } from '../model/mesh-config-spec.js';
import type { ModelView } from '../model/view.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { ServingTls } from './serving-tls.js';

export interface InjectorSettings {
  /** `HOST:PORT` of the webhook (FSM: 9090). */
  readonly listen: string;
  /** The MutatingWebhookConfiguration to keep current. */
  readonly webhookConfigName: string;
  /** The Service port the API server calls (the chart's `webhook` port). */
  readonly servicePort: number;
  readonly timeoutSeconds: number;
  readonly initImage: string;
  readonly healthcheckImage: string;
  readonly pullPolicy: string;
  /** Bootstrap Secrets whose pod has not appeared after this long are deleted. */
  readonly bootstrapGraceMs: number;
}

export interface KubernetesOnboardingOptions {
  readonly client: KubeClient;
  readonly view: ModelView;
  readonly meshName: string;
  readonly fsmNamespace: string;
  readonly trustDomain: string;
  readonly version: string;
  /** The controller's Service; sidecars and the API server reach it as `<service>.<fsmNamespace>`. */
  readonly service: string;
  /** Sidecars fetch over HTTPS with their bootstrap certificate. */
  readonly tls: boolean;
  /** Undefined: no injector (leader election still runs for the rest). */
  readonly injector: InjectorSettings | undefined;
  /** Lease name and identity; timings default to client-go's. */
  readonly leaderElection?: Partial<Pick<LeaderElectorOptions, 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>> & { readonly name?: string };
  /** How often the leader re-checks the webhook configuration and sweeps bootstrap Secrets; default 10 s. */
  readonly maintenanceIntervalMs?: number;
  readonly logger?: Logger;
  /** The webhook server's callbacks for each admission answered and each response sent by this replica (metrics). */
  readonly webhookCallbacks?: Pick<WebhookServerOptions, 'onReview' | 'onResponse'>;
}

export interface KubernetesOnboarding {
  /**
   * Starts leader election and, with the injector, the webhook server. Call
   * once the sources have synced: admission decisions need the namespaces
   * and the MeshConfig, and a pod admitted before that would escape the mesh
   * (until then the API server cannot reach the webhook and, failurePolicy
   * Fail, retries the pod). Resolves with the webhook port (undefined without
   * the injector).
   */
  start(deps: { certificates: CertificateManager; servingTls: ServingTls | undefined }): Promise<number | undefined>;
  isLeader(): boolean;
  /**
   * Runs `work` each time this replica becomes leader (and at once when it
   * leads already), with a signal that aborts when that leadership ends;
   * the work must stop then. A throwing `work` is logged. Returns the
   * unsubscribe function.
   */
  onLeading(work: (signal: AbortSignal) => void): () => void;
  /** The webhook's bound port once serving. */
  webhookPort(): number | undefined;
  /** The last sweep of bootstrap Secrets on this replica (tests, debug). */
  lastSweep(): SweepResult | undefined;
  close(): Promise<void>;
}

/** The MeshConfig fields the injector reads, from the typed spec. */
export function injectorMeshSettings(spec: MeshConfigSpec): InjectorMeshSettings {
  const s = spec.sidecar;
  const t = spec.traffic;
  return {
    sidecarImage: s.sidecarImage,
    sidecarLogLevel: s.logLevel || 'error',
    holdApplicationUntilProxyStarts: s.holdApplicationUntilProxyStarts,
    gracefulExitUntilDownstreamEnds: s.gracefulExitUntilDownstreamEnds,
    enablePrivilegedInitContainer: s.enablePrivilegedInitContainer,
    localProxyMode: s.localProxyMode,
    sidecarResources: s.resources,
    initResources: s.initResources,
    healthcheckResources: s.healthcheckResources,
    tls: { min: s.tlsMinProtocolVersion, max: s.tlsMaxProtocolVersion, cipherSuites: s.cipherSuites, ecdhCurves: s.ecdhCurves },
    repoServer: spec.repoServer,
    interceptionMode: t.interceptionMode,
    exclusions: t,
  };
}

/** A unique candidate name: the pod name (downward API `POD_NAME`, else the host name) and a random suffix. */
export function candidateIdentity(env: Record<string, string | undefined> = process.env): string {
  return `${env['POD_NAME'] || hostname()}_${randomBytes(4).toString('hex')}`;
}

interface PodItem {
  metadata: ObjectMeta & { name: string };
}

export function createKubernetesOnboarding(o: KubernetesOnboardingOptions): KubernetesOnboarding {
  const logger = o.logger ?? silentLogger;
  const interval = o.maintenanceIntervalMs ?? 10_000;
  const view: InjectorView = {
    namespace(name) {
      const ns = o.view.get('Namespace', undefined, name);
      return ns && { name, ...(ns.metadata.labels ? { labels: ns.metadata.labels } : {}), ...(ns.metadata.annotations ? { annotations: ns.metadata.annotations } : {}) };
    },
    mesh: () => injectorMeshSettings(o.view.meshConfig.spec),
  };
  const collector: BootstrapCollector | undefined = o.injector
    ? createBootstrapCollector({
        client: o.client,
        fsmNamespace: o.fsmNamespace,
        meshName: o.meshName,
        graceMs: o.injector.bootstrapGraceMs,
        logger,
        // The model knows the pods of monitored namespaces; the API server answers for the rest.
        async findPod(namespace, uuid, signal) {
          const proxy = o.view.proxyByUuid(uuid);
          if (proxy?.namespace === namespace && proxy.pod.metadata.uid) return { name: proxy.podName, uid: proxy.pod.metadata.uid };
          const list = await o.client.get<ObjectList<PodItem>>(resourcePath(Resources.pods, { namespace }), { query: { labelSelector: `fsm-proxy-uuid=${uuid}` }, signal });
          const pod = list.items?.[0];
          return pod?.metadata.uid ? { name: pod.metadata.name, uid: pod.metadata.uid } : undefined;
        },
      })
    : undefined;
  const elector: LeaderElector = createLeaderElector({
    client: o.client,
    namespace: o.fsmNamespace,
    name: o.leaderElection?.name ?? `fsm-controller-${o.meshName}`,
    identity: o.leaderElection?.identity ?? candidateIdentity(),
    ...(o.leaderElection?.leaseDurationMs ? { leaseDurationMs: o.leaderElection.leaseDurationMs } : {}),
    ...(o.leaderElection?.renewDeadlineMs ? { renewDeadlineMs: o.leaderElection.renewDeadlineMs } : {}),
    ...(o.leaderElection?.retryPeriodMs ? { retryPeriodMs: o.leaderElection.retryPeriodMs } : {}),
    logger,
  });
  /** The current leadership's signal, for work registered while leading. */
  let leading: AbortSignal | undefined;
  elector.onLeading((signal) => (leading = signal));
  let server: WebhookServer | undefined;
  let boundPort: number | undefined;
  let sweep: SweepResult | undefined;
  const unsubscribers: (() => void)[] = [];
  let started = false;

  /** The leader's loop: webhook configuration, then bootstrap Secrets, every interval (and at once when the trust bundle changes). */
  function lead(signal: AbortSignal, servingTls: ServingTls | undefined): void {
    let wake: (() => void) | undefined;
    // A change during a round (before the loop sleeps) must start another round, not be lost.
    let changed = false;
    const poke = servingTls?.onChange(() => {
      changed = true;
      wake?.();
    }) ?? (() => undefined);
    signal.addEventListener('abort', () => {
      poke();
      wake?.();
    }, { once: true });
    void (async () => {
      while (!signal.aborted) {
        changed = false;
        if (o.injector && servingTls) {
          const spec: WebhookConfigurationSpec = {
            name: o.injector.webhookConfigName,
            meshName: o.meshName,
            fsmNamespace: o.fsmNamespace,
            version: o.version,
            service: o.service,
            port: o.injector.servicePort,
            caBundlePem: servingTls.current().ca,
            timeoutSeconds: o.injector.timeoutSeconds,
          };
          try {
            await ensureWebhookConfiguration(o.client, spec, signal, logger);
          } catch (err) {
            if (!signal.aborted) logger.error('keeping the MutatingWebhookConfiguration current failed', { name: spec.name, error: errorMessage(err) });
          }
          try {
            if (collector && !signal.aborted) sweep = await collector.sweep(signal);
          } catch (err) {
            if (!signal.aborted) logger.warn('sweeping bootstrap Secrets failed', { error: errorMessage(err) });
          }
        }
        if (!changed) await Promise.race([sleep(systemClock, interval, signal), new Promise<void>((r) => (wake = r))]);
        wake = undefined;
      }
    })();
  }

  return {
    async start(deps) {
      if (started) throw new Error('kubernetes onboarding: start() called twice');
      started = true;
      const { servingTls } = deps;
      unsubscribers.push(elector.onLeading((signal) => lead(signal, servingTls)));
      elector.start();
      if (!o.injector || !collector) return undefined;
      if (!servingTls) throw new Error('the sidecar injector needs the serving certificate');
      const injector = createInjector({
        client: o.client,
        view,
        certificates: deps.certificates,
        collector,
        meshName: o.meshName,
        fsmNamespace: o.fsmNamespace,
        trustDomain: o.trustDomain,
        version: o.version,
        tls: o.tls,
        controllerService: o.service,
        initImage: o.injector.initImage,
        healthcheckImage: o.injector.healthcheckImage,
        pullPolicy: o.injector.pullPolicy,
        logger,
      });
      const tls = servingTls.current();
      const webhook = createWebhookServer({ listen: o.injector.listen, tls: { key: tls.key, cert: tls.cert }, injector, logger, ...o.webhookCallbacks });
      server = webhook;
      unsubscribers.push(servingTls.onChange((m) => webhook.setTls({ key: m.key, cert: m.cert })));
      const port = await webhook.start();
      boundPort = port;
      logger.info('sidecar injector serving', { port, path: '/mutate-pod-creation' });
      return port;
    },
    isLeader: () => elector.isLeader(),
    onLeading(work) {
      const unsubscribe = elector.onLeading(work);
      if (leading && !leading.aborted) {
        try {
          work(leading);
        } catch (err) {
          logger.error('leader-only work threw', { error: errorMessage(err) });
        }
      }
      return unsubscribe;
    },
    webhookPort: () => boundPort,
    lastSweep: () => sweep,
    async close() {
      for (const u of unsubscribers) u();
      await Promise.all([elector.close(), server?.close()]);
    },
  };
}

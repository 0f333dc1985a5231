/**
 * FSM Gateway's Kubernetes side, done by the leader only (two LeaderWorks
 * run under the onboarding's leader election):
 *
 * - status: the Gateway API statuses computed from the model
 *   (computeGatewayStatus) written to the status subresources;
 * - workloads: each Gateway's Deployment and Service
 *   (buildGatewayWorkload) and, with repo TLS, the Secret with the gateway's
 *   own certificate (CN `fsm-gateway.<namespace>.<trustDomain>`, issued by
 *   the certificate manager), applied by gateway-workload-applier.ts.
 *
 * Both run when leadership is gained and after every model change the
 * gateway generator says touches a gateway (coalesced; `applied` never
 * blocks the pipeline); the workloads also after a gateway certificate
 * rotates, and every `resyncMs` (to restore objects edited or deleted
 * behind the controller's back, which the model does not watch).
 */
import { workloadIdentity } from '../certificate/identity.js';
import type { CertificateManager } from '../certificate/manager.js';
import type { WorkloadCertificate } from '../certificate/types.js';
import type { Generator } from '../generate/generator.js';
import { computeGatewayStatus } from '../generate/gateway/status/gateway-status.js';
import { createGatewayStatusWriter } from '../generate/gateway/status/status-writer.js';
import { buildGatewayTlsSecret, buildGatewayWorkload, gatewayWorkloadSources, tlsSecretNameOf, workloadName } from '../generate/gateway/workload.js';
import { repoEndpoint } from '../injector/injector.js';
import { errorMessage } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import type { ModelChange, ModelView } from '../model/view.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { gatewayIdentity } from './gateway-repo-authorizer.js';
import { createGatewayWorkloadApplier, type DesiredGatewayWorkload } from './gateway-workload-applier.js';
import { createKubeStatusPatcher } from './gateway-status-patcher.js';
import { createLeaderWork, type LeaderWork } from './leader-work.js';

export interface GatewayOnKubernetesOptions {
  readonly client: KubeClient;
  readonly view: ModelView;
  /** The gateway generator: what it says a change touches is what re-runs the work. */
  readonly generator: Pick<Generator, 'touched'>;
  readonly meshName: string;
  readonly fsmNamespace: string;
  /** The controller's Service, which gateways fetch their codebase from (see repoEndpoint). */
  readonly controllerService: string;
  /** Repo TLS: gateways fetch over HTTPS with their own certificate. */
  readonly tls: boolean;
  readonly certificates: CertificateManager;
  /** Coalescing of model changes (the pipeline's). */
  readonly quietMs: number;
  readonly maxDelayMs: number;
  /** How often the leader re-applies the workloads without a change; default 60 s. */
  readonly resyncMs?: number;
  readonly logger?: Logger;
}

export interface GatewayOnKubernetes {
  /** Starts the leader's work for one leadership term (register with the onboarding's onLeading). */
  lead(signal: AbortSignal): void;
  /** The pipeline's onApplied: re-runs the work when the changes touch a gateway. Never blocks. */
  applied(changes: readonly ModelChange[]): void;
  /** Stops; resolves once runs in flight have ended. */
  close(): Promise<void>;
}

/** `fsm-gateway.`: the identities of gateway certificates start so. */
const GATEWAY_IDENTITY_PREFIX = workloadIdentity(gatewayIdentity(''));

export function createGatewayOnKubernetes(o: GatewayOnKubernetesOptions): GatewayOnKubernetes {
  const logger = o.logger ?? silentLogger;
  const { view, certificates } = o;
  const timing = { quietMs: o.quietMs, maxDelayMs: o.maxDelayMs, logger };

  const status: LeaderWork = createLeaderWork({
    ...timing,
    name: 'writing gateway status',
    term(signal) {
      const writer = createGatewayStatusWriter({ patchStatus: createKubeStatusPatcher({ client: o.client, signal }) });
      return async () => {
        const result = await writer.sync(computeGatewayStatus(view));
        for (const f of result.failed) {
          if (!signal.aborted) logger.warn('writing a gateway status failed', { object: `${f.target.kind} ${f.target.namespace ? `${f.target.namespace}/` : ''}${f.target.name}`, error: f.error });
        }
        return result.failed.length === 0;
      };
    },
  });

  /** The gateway certificates of these namespaces; undefined when one could not be issued (nothing is applied then). */
  async function issue(namespaces: readonly string[]): Promise<Map<string, WorkloadCertificate> | undefined> {
    const out = new Map<string, WorkloadCertificate>();
    let ok = true;
    for (const ns of namespaces) {
      try {
        out.set(ns, await certificates.issueWorkload(gatewayIdentity(ns)));
      } catch (err) {
        ok = false;
        logger.error('issuing a gateway certificate failed', { identity: workloadIdentity(gatewayIdentity(ns)), error: errorMessage(err) });
      }
    }
    return ok ? out : undefined;
  }

  /**
   * Adds `namespaces` to `issued`, and releases the certificate of each
   * issued namespace whose last Gateway went, so it is no longer renewed
   * (unless a sidecar has that identity: a service account named fsm-gateway).
   */
  async function releaseUnused(issued: Set<string>, namespaces: readonly string[]): Promise<void> {
    for (const ns of namespaces) issued.add(ns);
    for (const ns of [...issued]) {
      const identity = workloadIdentity(gatewayIdentity(ns));
      if (namespaces.includes(ns) || view.proxies().some((p) => p.identity === identity)) continue;
      issued.delete(ns);
      try {
        await certificates.releaseWorkload(identity);
      } catch (err) {
        logger.warn('releasing a gateway certificate failed', { identity, error: errorMessage(err) });
      }
    }
  }

  const workloads: LeaderWork = createLeaderWork({
    ...timing,
    name: 'applying gateway workloads',
    resyncMs: o.resyncMs ?? 60_000,
    term(signal) {
      const applier = createGatewayWorkloadApplier({ client: o.client, meshName: o.meshName, signal, logger });
      /** The desired set last applied without failure (canonical JSON): unchanged, nothing is sent until the resync. */
      let applied: string | undefined;
      /** Namespaces whose gateway certificate this term issued. */
      const issued = new Set<string>();
      return async ({ resync }) => {
        // ownerReferences need the Gateway's uid, which only objects read from the API server have.
        const sources = gatewayWorkloadSources(view).filter((s) => s.gateway.metadata.uid);
        const namespaces = [...new Set(sources.map((s) => s.gateway.metadata.namespace ?? ''))];
        const certs = o.tls ? await issue(namespaces) : new Map<string, WorkloadCertificate>();
        if (!certs || signal.aborted) return false;
        const mesh = view.meshConfig.spec;
        const repo = repoEndpoint(mesh.repoServer, { fsmNamespace: o.fsmNamespace, controllerService: o.controllerService });
        const desired: DesiredGatewayWorkload[] = sources.map((s) => {
          const gw = s.gateway;
          const name = workloadName(gw, s.codebaseName);
          const cert = certs.get(gw.metadata.namespace ?? '');
          const tls = cert
            ? buildGatewayTlsSecret(gw, tlsSecretNameOf(name), { certChainPem: cert.certChainPem, privateKeyPem: cert.privateKeyPem, trustBundlePem: certificates.trustBundlePem() }, o.meshName)
            : undefined;
          const workload = buildGatewayWorkload(gw, s.codebaseName, s.listeners, {
            repoUrl: `${o.tls ? 'https' : 'http'}://${repo.host}:${repo.port}`,
            image: mesh.sidecar.sidecarImage,
            meshName: o.meshName,
            ...(tls ? { tlsSecretName: tlsSecretNameOf(name), tlsRevision: tls.revision } : {}),
          });
          return { gateway: `${gw.metadata.namespace ?? ''}/${gw.metadata.name}`, workload, ...(tls ? { secret: { object: tls.secret, revision: tls.revision } } : {}) };
        });
        const text = canonicalJson(desired);
        if (text === applied && !resync) return true;
        const result = await applier.apply(desired, { rewriteSecrets: resync });
        for (const f of result.failed) {
          if (!signal.aborted) logger.warn('applying a gateway workload failed', { object: f.object, error: f.error });
        }
        if (o.tls) await releaseUnused(issued, namespaces);
        applied = result.failed.length === 0 ? text : undefined;
        return result.failed.length === 0;
      };
    },
  });

  const stopRotations = certificates.onRotated((e) => {
    if (e.identity.startsWith(GATEWAY_IDENTITY_PREFIX)) workloads.kick();
  });

  return {
    lead(signal) {
      status.lead(signal);
      workloads.lead(signal);
    },
    applied(changes) {
      const touched = o.generator.touched(view, changes);
      if (isEmpty(touched.nodes) && isEmpty(touched.keys)) return;
      status.kick();
      workloads.kick();
    },
    async close() {
      stopRotations();
      await Promise.all([status.close(), workloads.close()]);
    },
  };
}

const isEmpty = (items: Iterable<string>): boolean => items[Symbol.iterator]().next().done === true;

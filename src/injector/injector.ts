/**
 * The sidecar injector: answers the API server's AdmissionReview for a pod
 * creation. When FSM's rules say inject (injection-policy.ts), it issues the
 * pod's bootstrap certificate, records and creates the bootstrap Secret
 * (bootstrap-collector.ts, bootstrap-secret.ts) and answers with the JSON
 * patch (pod-patch.ts). A dry run gets the same patch without any write and
 * without a certificate. A pod the rules leave alone is allowed unchanged; a
 * malformed injection annotation refuses the pod with a message naming it.
 */
import { randomUUID } from 'node:crypto';
import { bootstrapCommonName } from '../certificate/identity.js';
import type { WorkloadCertificate } from '../certificate/types.js';
import { errorMessage } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import { Resources, resourcePath } from '../kubernetes/paths.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { allow, allowWithPatch, deny, type AdmissionRequest, type AdmissionReviewOut } from './admission-review.js';
import { Annotations, readSwitch } from './annotations.js';
import { BOOTSTRAP_CERT_VALIDITY_MS, BOOTSTRAP_SECRET_PREFIX, bootstrapSecret, bootstrapSecretName } from './bootstrap-secret.js';
import type { BootstrapCollector } from './bootstrap-collector.js';
import { lifecycleSettings, podController, sidecarResources } from './containers.js';
import { exclusionsFor, type GlobalExclusions } from './exclusions.js';
import { decideInjection, type NamespaceInfo } from './injection-policy.js';
import type { LocalProxyMode } from './iptables.js';
import { injectedUuid, injectionPatch, reinjectionPatch, type PatchOperation, type PodJson } from './pod-patch.js';
import type { OriginalProbes } from '../model/health-probes.js';

/** The MeshConfig settings the injector reads, at the time of each admission. */
export interface InjectorMeshSettings {
  readonly sidecarImage: string;
  readonly sidecarLogLevel: string;
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly gracefulExitUntilDownstreamEnds: boolean;
  readonly enablePrivilegedInitContainer: boolean;
  readonly localProxyMode: LocalProxyMode;
  readonly sidecarResources?: Record<string, unknown> | undefined;
  readonly initResources?: Record<string, unknown> | undefined;
  readonly healthcheckResources?: Record<string, unknown> | undefined;
  readonly tls: { min?: string | undefined; max?: string | undefined; cipherSuites?: readonly string[] | undefined; ecdhCurves?: readonly string[] | undefined };
  /** MeshConfig `repoServer`: where sidecars fetch their codebase. */
  readonly repoServer: { ipaddr: string; port: number; codebase: string };
  /** `NodeLevel`: only the uuid label (redirection happens on the node). */
  readonly interceptionMode: 'PodLevel' | 'NodeLevel';
  readonly exclusions: GlobalExclusions;
}

/** What the injector reads of the cluster, from the controller's model. */
export interface InjectorView {
  namespace(name: string): NamespaceInfo | undefined;
  mesh(): InjectorMeshSettings;
}

export interface InjectorOptions {
  readonly client: KubeClient;
  readonly view: InjectorView;
  readonly certificates: {
    issueBootstrap(ref: { uuid: string; serviceAccount: string; namespace: string }, options: { validityMs: number }): Promise<WorkloadCertificate>;
    trustBundlePem(): string;
  };
  readonly collector: Pick<BootstrapCollector, 'record'>;
  readonly meshName: string;
  readonly fsmNamespace: string;
  readonly trustDomain: string;
  /** `app.kubernetes.io/version` of created Secrets. */
  readonly version: string;
  /** Sidecars fetch over HTTPS with their bootstrap certificate (false: plain HTTP, as FSM). */
  readonly tls: boolean;
  /** The controller's Service (in `fsmNamespace`), which a loopback `repoServer.ipaddr` stands for; default `fsm-controller`. */
  readonly controllerService?: string;
  readonly initImage: string;
  readonly healthcheckImage: string;
  readonly pullPolicy: string;
  readonly newUuid?: () => string;
  readonly logger?: Logger;
}

/** The outcome of one review, for metrics and logs. */
export interface AdmissionOutcome {
  readonly namespace: string;
  readonly injected: boolean;
  readonly dryRun: boolean;
  readonly reason: string;
}

export interface Injector {
  /** Answers one parsed review request (never throws: failures become refusals). */
  review(request: AdmissionRequest): Promise<{ out: AdmissionReviewOut; outcome: AdmissionOutcome }>;
}

/** Where pods reach the repo (FSM's rule): MeshConfig `repoServer`, a loopback `ipaddr` meaning the controller's Service. */
export function repoEndpoint(repoServer: { ipaddr: string; port: number }, o: { fsmNamespace: string; controllerService: string }): { host: string; port: number } {
  let host = repoServer.ipaddr || '127.0.0.1';
  if (host.startsWith('127.') || host.toLowerCase() === 'localhost') host = `${o.controllerService}.${o.fsmNamespace}`;
  return { host, port: repoServer.port > 0 ? repoServer.port : 6060 };
}

/** A sidecar's repo URL (repoEndpoint, MeshConfig `repoServer.codebase`, its codebase). */
export function repoUrl(mesh: InjectorMeshSettings, o: { fsmNamespace: string; controllerService: string; tls: boolean }, cnPrefix: string): { url: string; host: string; port: number } {
  const { host, port } = repoEndpoint(mesh.repoServer, o);
  const codebase = mesh.repoServer.codebase.replace(/^\/+|\/+$/g, '');
  const path = codebase ? `/repo/${codebase}/fsm-sidecar/${cnPrefix}/` : `/repo/fsm-sidecar/${cnPrefix}/`;
  return { url: `${o.tls ? 'https' : 'http'}://${host}:${port}${path}`, host, port };
}

export function createInjector(o: InjectorOptions): Injector {
  const logger = o.logger ?? silentLogger;
  const newUuid = o.newUuid ?? randomUUID;
  const controllerService = o.controllerService ?? 'fsm-controller';

  async function inject(request: AdmissionRequest, pod: PodJson, namespace: string, ns: NamespaceInfo | undefined): Promise<AdmissionReviewOut> {
    const mesh = o.view.mesh();
    const dryRun = request.dryRun === true;
    const uuid = newUuid();
    const serviceAccount = pod.spec?.serviceAccountName || 'default';
    const cnPrefix = `${uuid}.sidecar.${serviceAccount}.${namespace}`;
    const secretName = bootstrapSecretName(uuid);
    const repo = repoUrl(mesh, { fsmNamespace: o.fsmNamespace, controllerService, tls: o.tls }, cnPrefix);
    const podAnnotations = pod.metadata?.annotations;
    const object = `Pod ${namespace}/${pod.metadata?.name || `${pod.metadata?.generateName ?? ''}*`}`;

    const already = injectedUuid(pod, BOOTSTRAP_SECRET_PREFIX) !== undefined;
    const planFor = (): { ops: PatchOperation[]; originals: OriginalProbes } =>
      already
      ? { ops: reinjectionPatch(pod, uuid, secretName, repo.url), originals: { Liveness: null, Readiness: null, Startup: null } }
      : injectionPatch(
          pod,
          {
            uuid,
            secretName,
            labelOnly: mesh.interceptionMode === 'NodeLevel',
            metrics: readSwitch(ns?.annotations, Annotations.Metrics, `Namespace ${namespace}`) === true,
            exclusions: exclusionsFor(podAnnotations, mesh.exclusions),
            sidecar: {
              meshName: o.meshName,
              image: podAnnotations?.[Annotations.SidecarImage] || ns?.annotations?.[Annotations.SidecarImage] || mesh.sidecarImage,
              logLevel: mesh.sidecarLogLevel,
              adminPort: repo.port,
              repoUrl: repo.url,
              tls: o.tls,
              resources: sidecarResources(mesh.sidecarResources, podAnnotations, ns?.annotations),
              ...lifecycleSettings(podAnnotations, ns?.annotations, mesh, object),
            },
            init: {
              image: o.initImage,
              pullPolicy: o.pullPolicy,
              privileged: mesh.enablePrivilegedInitContainer,
              resources: mesh.initResources ?? {},
              proxyMode: mesh.localProxyMode,
            },
            healthcheck: { image: o.healthcheckImage, resources: mesh.healthcheckResources ?? {} },
          },
          podController(pod.metadata?.ownerReferences),
        );
    let plan: { ops: PatchOperation[]; originals: OriginalProbes };
    try {
      plan = planFor();
    } catch (err) {
      // A malformed annotation (ports, IP ranges, quantities, switches): the pod's author must fix it.
      logger.warn('sidecar injection refused the pod', { pod: object, error: errorMessage(err) });
      return deny(request.uid, `${object}: ${errorMessage(err)}`);
    }
    if (!dryRun && mesh.interceptionMode !== 'NodeLevel') {
      // The certificate first (it can fail without leaving anything behind), then the record, then the Secret.
      const certificate = await o.certificates.issueBootstrap({ uuid, serviceAccount, namespace }, { validityMs: BOOTSTRAP_CERT_VALIDITY_MS });
      await o.collector.record(namespace, uuid);
      const secret = bootstrapSecret({
        uuid,
        namespace,
        meshName: o.meshName,
        version: o.version,
        certificate,
        trustBundlePem: o.certificates.trustBundlePem(),
        config: { repoHost: repo.host, repoPort: repo.port, tls: mesh.tls, originals: plan.originals },
      });
      await o.client.create(resourcePath(Resources.secrets, { namespace }), secret);
    }
    logger.info('sidecar injected', { pod: object, uuid, cn: bootstrapCommonName({ uuid, serviceAccount, namespace }, o.trustDomain), dryRun, copy: already });
    return allowWithPatch(request.uid, plan.ops);
  }

  return {
    async review(request) {
      const namespace = request.namespace ?? '';
      const dryRun = request.dryRun === true;
      const outcome = (injected: boolean, reason: string): AdmissionOutcome => ({ namespace, injected, dryRun, reason });
      // Only pod creations are injected (the benchmark fixture of FSM's tests is an exec CONNECT: allowed untouched).
      if (request.kind?.kind !== 'Pod' || (request.operation ?? 'CREATE') !== 'CREATE' || request.subResource) {
        return { out: allow(request.uid), outcome: outcome(false, `not a pod creation (${request.kind?.kind ?? '?'} ${request.operation ?? '?'})`) };
      }
      const pod = request.object as PodJson | undefined;
      if (!pod || typeof pod !== 'object') return { out: deny(request.uid, 'E6103: the request has no pod object'), outcome: outcome(false, 'no object') };
      const ns = o.view.namespace(namespace);
      let decision;
      try {
        decision = decideInjection(pod, namespace, ns, { meshName: o.meshName, fsmNamespace: o.fsmNamespace });
      } catch (err) {
        const code = errorMessage(err).startsWith('Namespace') ? 'E6109' : 'E6108';
        logger.warn('sidecar injection refused the pod', { namespace, error: errorMessage(err), code });
        return { out: deny(request.uid, `${code}: ${errorMessage(err)}`), outcome: outcome(false, errorMessage(err)) };
      }
      if (!decision.inject) return { out: allow(request.uid), outcome: outcome(false, decision.reason) };
      try {
        return { out: await inject(request, pod, namespace, ns), outcome: outcome(true, decision.reason) };
      } catch (err) {
        logger.error('sidecar injection failed; the pod is refused', { namespace, error: errorMessage(err) });
        return { out: deny(request.uid, `sidecar injection failed: ${errorMessage(err)}`, 500), outcome: outcome(false, errorMessage(err)) };
      }
    },
  };
}

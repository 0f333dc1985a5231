/**
 * The Kubernetes objects that run a Gateway, in FSM's shape (FSM 1.3's
 * charts/gateway): a Deployment of Pipy pointed at the controller's repo (the
 * Gateway's codebase), and a Service exposing the listener ports, both owned
 * by the Gateway so that Kubernetes deletes them with it. A pure function of
 * its inputs; applying them (create, update, delete) is the leader's job.
 *
 * Differences from FSM's chart, each for a reason: Pipy runs directly (FSM
 * runs its fsm-gateway binary, which always fetches `/local/gw/<namespace>`,
 * so it cannot run a second Gateway of a namespace); port names are
 * `<protocol>-<port>` (a listener name may be longer than the 15 characters a
 * port name allows); one Service carries TCP and UDP ports (mixed-protocol
 * LoadBalancers are GA since Kubernetes 1.26; FSM made a Service per
 * protocol); the readiness and liveness probes use Pipy's admin port.
 */
import { createHash } from 'node:crypto';
import { hashParts } from '../../shared/hash.js';
import type { Gateway } from '../../model/gateway-types.js';
import type { ModelView } from '../../model/view.js';
import { configListeners, type ConfigListener } from './config-spec.js';
import { createContext } from './context.js';
import { analyzeGateway } from './gateway-analysis.js';
import { codebaseNameOf, gatewayApiEnabled, NAMESPACE_CODEBASE_PREFIX, ownedGateways } from './gateways.js';

export type { ConfigListener } from './config-spec.js';

export interface GatewayWorkloadOptions {
  /** The repo URL prefix Pipy fetches from, e.g. `http://fsm-controller.fsm-system.svc:6060` (https with repo TLS). */
  readonly repoUrl: string;
  /** The Pipy image (MeshConfig `sidecar.sidecarImage`, FSM's flomesh/pipy:1.5.14). */
  readonly image: string;
  readonly meshName: string;
  /** Pipy's admin port inside the pod (probed for liveness and readiness). Default 6060. */
  readonly adminPort?: number;
  /** Service type; FSM's default is LoadBalancer. */
  readonly serviceType?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  readonly replicas?: number;
  /**
   * With repo TLS: a Secret (tls.crt, tls.key, ca.crt) holding the gateway's
   * own certificate, mounted for Pipy's `--tls-cert/--tls-key/--tls-trusted`.
   */
  readonly tlsSecretName?: string;
  /**
   * Identifies the Secret's content (a hash), written on the pod template:
   * Pipy reads its certificate only at start, so a renewed certificate must
   * roll the pods.
   */
  readonly tlsRevision?: string;
  readonly imagePullPolicy?: string;
}

export interface GatewayWorkload {
  readonly deployment: Record<string, unknown>;
  /** Undefined while no listener is configured (a Service needs a port): the applier deletes it then. */
  readonly service?: Record<string, unknown>;
}

const MAX_NAME = 63;

/** The pod template annotation carrying `tlsRevision`. */
export const TLS_REVISION_ANNOTATION = 'gateway.flomesh.io/tls-revision';

/** A DNS-1035 label of at most 63 characters, shortened with a hash when needed. */
function dnsLabel(raw: string): string {
  const cleaned = raw.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (cleaned.length <= MAX_NAME) return cleaned;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, MAX_NAME - 9).replace(/-+$/, '')}-${hash}`;
}

/** FSM's `fsm-gateway-<namespace>` for the namespace's gateway; `fsm-gateway-<namespace>-<name>` for the others. */
export function workloadName(gw: Gateway, codebaseName: string): string {
  const ns = gw.metadata.namespace ?? '';
  return dnsLabel(codebaseName.startsWith(NAMESPACE_CODEBASE_PREFIX) ? `fsm-gateway-${ns}` : `fsm-gateway-${ns}-${gw.metadata.name}`);
}

/**
 * The labels every object of a gateway's workload carries besides the
 * Gateway's infrastructure labels: the selector, and the mesh and manager
 * that identify the objects this controller applies (and may delete).
 */
export function workloadLabels(gw: Gateway, meshName: string): Record<string, string> {
  return { ...selectorOf(gw), meshName, [MANAGED_BY_LABEL]: MANAGED_BY };
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'fsm-controller';

/** The label selector of every workload object of mesh `meshName`, for listing them. */
export const workloadSelector = (meshName: string): string => `app=fsm-gateway,meshName=${meshName},${MANAGED_BY_LABEL}=${MANAGED_BY}`;

const selectorOf = (gw: Gateway) => ({ app: 'fsm-gateway', 'gateway.flomesh.io/ns': gw.metadata.namespace ?? '', 'gateway.flomesh.io/name': dnsLabel(gw.metadata.name) });

/** Metadata of a workload object: ours, owned by the Gateway (Kubernetes deletes it with the Gateway). */
function workloadMetadata(gw: Gateway, name: string, meshName: string, withInfrastructure: boolean) {
  const infra = withInfrastructure ? gw.spec?.infrastructure : undefined;
  return {
    name,
    namespace: gw.metadata.namespace ?? '',
    labels: { ...(infra?.labels ?? {}), ...workloadLabels(gw, meshName) },
    ...(infra?.annotations ? { annotations: infra.annotations } : {}),
    ownerReferences: [
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: gw.metadata.name, ...(gw.metadata.uid ? { uid: gw.metadata.uid } : {}), controller: true, blockOwnerDeletion: true },
    ],
  };
}

/** The Secret holding the gateway's repo client certificate (one per workload). */
export const tlsSecretNameOf = (workload: string): string => `${workload}-repo-tls`;

/** What goes into the gateway's certificate Secret. */
export interface GatewayTlsMaterial {
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  /** The roots the controller's serving certificate chains to. */
  readonly trustBundlePem: string;
}

/**
 * The `kubernetes.io/tls` Secret a gateway's Deployment mounts (`tls.crt`,
 * `tls.key`, `ca.crt`), owned by the Gateway, and its revision (a hash of
 * its content, for GatewayWorkloadOptions `tlsRevision`).
 */
export function buildGatewayTlsSecret(gw: Gateway, name: string, material: GatewayTlsMaterial, meshName: string): { secret: Record<string, unknown>; revision: string } {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const data = { 'tls.crt': b64(material.certChainPem), 'tls.key': b64(material.privateKeyPem), 'ca.crt': b64(material.trustBundlePem) };
  const secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: workloadMetadata(gw, name, meshName, false), data };
  return { secret, revision: hashParts([material.certChainPem, material.privateKeyPem, material.trustBundlePem]) };
}

export function buildGatewayWorkload(gw: Gateway, codebaseName: string, listeners: readonly ConfigListener[], opts: GatewayWorkloadOptions): GatewayWorkload {
  const name = workloadName(gw, codebaseName);
  const adminPort = opts.adminPort ?? 6060;
  const selector = selectorOf(gw);
  const infra = gw.spec?.infrastructure;
  const metadata = workloadMetadata(gw, name, opts.meshName, true);
  const labels = metadata.labels;
  const ports = [...listeners].sort((a, b) => a.Port - b.Port);
  const protocolOf = (l: ConfigListener) => (l.Protocol === 'UDP' ? 'UDP' : 'TCP');
  const portName = (l: ConfigListener) => `${l.Protocol.toLowerCase()}-${l.Port}`;
  const tls = opts.tlsSecretName;
  const repo = `${opts.repoUrl.replace(/\/+$/, '')}/repo/${codebaseName}/`;
  const args = [
    repo,
    `--admin-port=${adminPort}`,
    ...(tls ? ['--tls-cert=/etc/fsm-gateway/tls/tls.crt', '--tls-key=/etc/fsm-gateway/tls/tls.key', '--tls-trusted=/etc/fsm-gateway/tls/ca.crt'] : []),
  ];
  const probe = { tcpSocket: { port: adminPort }, initialDelaySeconds: 5, timeoutSeconds: 5 };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...labels },
          annotations: {
            ...(infra?.annotations ?? {}),
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(adminPort),
            ...(tls && opts.tlsRevision ? { [TLS_REVISION_ANNOTATION]: opts.tlsRevision } : {}),
          },
        },
        spec: {
          containers: [
            {
              name: 'gateway',
              image: opts.image,
              imagePullPolicy: opts.imagePullPolicy ?? 'IfNotPresent',
              command: ['pipy'],
              args,
              ports: [...ports.map((l) => ({ name: portName(l), containerPort: l.Listen, protocol: protocolOf(l) })), { name: 'admin', containerPort: adminPort, protocol: 'TCP' }],
              env: [
                { name: 'FSM_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'FSM_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              livenessProbe: probe,
              readinessProbe: probe,
              ...(tls ? { volumeMounts: [{ name: 'gateway-tls', mountPath: '/etc/fsm-gateway/tls', readOnly: true }] } : {}),
            },
          ],
          ...(tls ? { volumes: [{ name: 'gateway-tls', secret: { secretName: tls } }] } : {}),
          terminationGracePeriodSeconds: 60,
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' } }],
            },
          },
        },
      },
    },
  };
  if (ports.length === 0) return { deployment };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: opts.serviceType ?? 'LoadBalancer',
      selector,
      ports: ports.map((l) => ({ name: portName(l), port: l.Port, targetPort: l.Listen, protocol: protocolOf(l) })),
    },
  };
  return { deployment, service };
}

/** What a Gateway's workload is built from. */
export interface GatewayWorkloadSource {
  readonly gateway: Gateway;
  readonly codebaseName: string;
  readonly listeners: readonly ConfigListener[];
}

/**
 * Every Gateway this controller runs, with the codebase it is served as and
 * its config listeners (the same analysis its config is built from), by
 * namespace then name; none unless MeshConfig `gatewayAPI.enabled`.
 */
export function gatewayWorkloadSources(view: ModelView): GatewayWorkloadSource[] {
  if (!gatewayApiEnabled(view)) return [];
  const ctx = createContext(view);
  return ownedGateways(view).map((gateway) => ({ gateway, codebaseName: codebaseNameOf(view, gateway), listeners: configListeners(analyzeGateway(ctx, gateway)) }));
}

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
import type { Gateway } from '../../model/gateway-types.js';
import { NAMESPACE_CODEBASE_PREFIX } from './gateways.js';

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
  readonly imagePullPolicy?: string;
}

/** A config Listener (config.json `Listeners[]`): what the pod listens on. */
export interface ConfigListener {
  readonly Protocol: string;
  readonly Port: number;
  readonly Listen: number;
}

export interface GatewayWorkload {
  readonly deployment: Record<string, unknown>;
  /** Undefined while no listener is configured (a Service needs a port): the applier deletes it then. */
  readonly service?: Record<string, unknown>;
}

const MAX_NAME = 63;

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

export function buildGatewayWorkload(gw: Gateway, codebaseName: string, listeners: readonly ConfigListener[], opts: GatewayWorkloadOptions): GatewayWorkload {
  const ns = gw.metadata.namespace ?? '';
  const name = workloadName(gw, codebaseName);
  const adminPort = opts.adminPort ?? 6060;
  const selector = { app: 'fsm-gateway', 'gateway.flomesh.io/ns': ns, 'gateway.flomesh.io/name': dnsLabel(gw.metadata.name) };
  const infra = gw.spec?.infrastructure;
  const labels = { ...(infra?.labels ?? {}), ...selector, meshName: opts.meshName, 'app.kubernetes.io/managed-by': 'fsm-controller' };
  const ownerReferences = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: gw.metadata.name, ...(gw.metadata.uid ? { uid: gw.metadata.uid } : {}), controller: true, blockOwnerDeletion: true },
  ];
  const metadata = { name, namespace: ns, labels, ...(infra?.annotations ? { annotations: infra.annotations } : {}), ownerReferences };
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
        metadata: { labels: { ...labels }, annotations: { ...(infra?.annotations ?? {}), 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(adminPort) } },
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

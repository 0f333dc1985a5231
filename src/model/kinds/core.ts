/**
 * Kubernetes core/discovery kinds, limited to the fields generators read
 * (their CRDs are not ours to generate; these schemas only validate).
 */
import { s } from '../schema/dsl.js';
import type { KindDefinition } from './definition.js';

const probe = s.object({
  httpGet: s.object({ path: s.string(), port: s.any({ intOrString: true }), scheme: s.enum(['HTTP', 'HTTPS']) }, { required: ['port'] }),
  tcpSocket: s.object({ port: s.any({ intOrString: true }) }, { required: ['port'] }),
  grpc: s.object({ port: s.port(), service: s.string() }, { required: ['port'] }),
  initialDelaySeconds: s.int({ minimum: 0 }),
  timeoutSeconds: s.int({ minimum: 0 }),
  periodSeconds: s.int({ minimum: 0 }),
  successThreshold: s.int({ minimum: 0 }),
  failureThreshold: s.int({ minimum: 0 }),
});

export const namespace: KindDefinition = { kind: 'Namespace', description: 'A namespace; observed when labelled flomesh.io/monitored-by.' };
export const serviceAccount: KindDefinition = { kind: 'ServiceAccount', description: 'A workload identity.' };

export const service: KindDefinition = {
  kind: 'Service',
  description: 'A Kubernetes Service.',
  spec: s.object({
    selector: s.map(s.string()),
    ports: s.array(
      s.object(
        {
          name: s.string(),
          port: s.port(),
          targetPort: s.any({ intOrString: true }),
          protocol: s.enum(['TCP', 'UDP', 'SCTP']),
          appProtocol: s.string(),
        },
        { required: ['port'] },
      ),
    ),
    clusterIP: s.string(),
    clusterIPs: s.array(s.string()),
    type: s.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
    externalName: s.string(),
  }),
};

export const pod: KindDefinition = {
  kind: 'Pod',
  description: 'A Pod; a proxy when labelled fsm-proxy-uuid.',
  spec: s.object({
    serviceAccountName: s.string(),
    nodeName: s.string(),
    containers: s.array(
      s.object(
        {
          name: s.string({ minLength: 1 }),
          ports: s.array(s.object({ name: s.string(), containerPort: s.port(), protocol: s.enum(['TCP', 'UDP', 'SCTP']) }, { required: ['containerPort'] })),
          livenessProbe: probe,
          readinessProbe: probe,
          startupProbe: probe,
        },
        { required: ['name'] },
      ),
    ),
  }),
  topLevel: {
    status: s.object({ podIP: s.ip(), podIPs: s.array(s.object({ ip: s.ip() }, { required: ['ip'] })), phase: s.string() }),
  },
};

export const endpointSlice: KindDefinition = {
  kind: 'EndpointSlice',
  description: 'Endpoints of a service (label kubernetes.io/service-name).',
  topLevel: {
    addressType: s.enum(['IPv4', 'IPv6', 'FQDN']),
    endpoints: s.array(
      s.object(
        {
          addresses: s.array(s.string({ minLength: 1 }), { minItems: 1 }),
          conditions: s.object({ ready: s.bool(), serving: s.bool(), terminating: s.bool() }),
          targetRef: s.object({ kind: s.string(), namespace: s.string(), name: s.string(), uid: s.string() }),
          nodeName: s.string(),
        },
        { required: ['addresses'] },
      ),
    ),
    ports: s.array(s.object({ name: s.string(), port: s.port(), protocol: s.enum(['TCP', 'UDP', 'SCTP']), appProtocol: s.string() })),
  },
};

const address = s.object({ ip: s.ip(), targetRef: s.object({ kind: s.string(), name: s.string(), namespace: s.string() }) }, { required: ['ip'] });

export const endpoints: KindDefinition = {
  kind: 'Endpoints',
  description: 'Legacy endpoints of the service of the same name.',
  topLevel: {
    subsets: s.array(
      s.object({
        addresses: s.array(address),
        notReadyAddresses: s.array(address),
        ports: s.array(s.object({ name: s.string(), port: s.port(), protocol: s.enum(['TCP', 'UDP', 'SCTP']), appProtocol: s.string() }, { required: ['port'] })),
      }),
    ),
  },
};

export const secret: KindDefinition = {
  kind: 'Secret',
  description: 'A Secret (egress mTLS certificates).',
  topLevel: { type: s.string(), data: s.map(s.string()), stringData: s.map(s.string()) },
};

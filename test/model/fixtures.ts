/** Builders of small mesh objects for model tests. */
import type { SourceEvent } from '../../src/sources/source.js';
import type { MeshObject } from '../../src/model/types.js';

export const ns = (name: string, labels: Record<string, string> = { 'flomesh.io/monitored-by': 'fsm' }): MeshObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

export const pod = (namespace: string, name: string, o: { sa?: string; labels?: Record<string, string>; ip?: string; uuid?: string } = {}): MeshObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace,
    labels: { ...(o.labels ?? { app: name }), ...(o.uuid ? { 'fsm-proxy-uuid': o.uuid } : {}) },
    managedFields: [{ manager: 'kubectl' }],
  } as MeshObject['metadata'],
  spec: { serviceAccountName: o.sa ?? name, containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080 }] }] },
  status: { podIP: o.ip ?? '10.0.0.1', phase: 'Running', conditions: [{ type: 'Ready' }] },
});

export const service = (namespace: string, name: string, selector: Record<string, string> = { app: name }): MeshObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { selector, ports: [{ name: 'http', port: 14001, targetPort: 8080, appProtocol: 'http' }] },
});

export const slice = (namespace: string, service: string, ips: string[]): MeshObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-abc`, namespace, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

export const trafficTarget = (namespace: string, name: string, dest: string, sources: { name: string; namespace: string }[], rules = [{ kind: 'HTTPRouteGroup', name: 'routes', matches: ['all'] }]): MeshObject => ({
  apiVersion: 'access.smi-spec.io/v1alpha3',
  kind: 'TrafficTarget',
  metadata: { name, namespace },
  spec: {
    destination: { kind: 'ServiceAccount', name: dest, namespace },
    sources: sources.map((s) => ({ kind: 'ServiceAccount', ...s })),
    rules,
  },
});

export const routeGroup = (namespace: string, name = 'routes'): MeshObject => ({
  apiVersion: 'specs.smi-spec.io/v1alpha4',
  kind: 'HTTPRouteGroup',
  metadata: { name, namespace },
  spec: { matches: [{ name: 'all', pathRegex: '.*', methods: ['GET'] }] },
});

export const split = (namespace: string, name: string, apex: string, backends: [string, number][]): MeshObject => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { name, namespace },
  spec: { service: apex, backends: backends.map(([service, weight]) => ({ service, weight })) },
});

export const meshConfig = (spec: Record<string, unknown>, namespace = 'fsm-system'): MeshObject => ({
  apiVersion: 'config.flomesh.io/v1alpha3',
  kind: 'MeshConfig',
  metadata: { name: 'fsm-mesh-config', namespace },
  spec,
});

export const up = (...objects: MeshObject[]): SourceEvent[] => objects.map((object) => ({ type: 'upsert', object }));
export const del = (...objects: MeshObject[]): SourceEvent[] => objects.map((object) => ({ type: 'delete', object }));

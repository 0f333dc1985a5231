/**
 * A synthetic mesh for benchmarks: namespaces, services with their pods
 * (fsm-proxy-uuid labelled, with IPs) and endpoint slices, optionally SMI
 * TrafficTargets and a MeshConfig in SMI mode. Deterministic for given
 * options. `writeMeshFiles` lays it out as one YAML file per service.
 *
 * Defaults: 2,000 services x 5 pods = 10,000 pods in 20 namespaces
 * (the model-load benchmark). The generation benchmark uses
 * `{ services: 1000, podsPerService: 10, trafficTargets: 2000, smi: true }`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { MeshObject } from '../src/model/types.js';

export interface SyntheticMeshOptions {
  services?: number;
  podsPerService?: number;
  namespaces?: number;
  /** Number of TrafficTargets (each: destination service i, source service i+k). Default 0. */
  trafficTargets?: number;
  /** Add a MeshConfig with enablePermissiveTrafficPolicyMode false (and HTTPRouteGroups). */
  smi?: boolean;
}

export interface SyntheticMesh {
  /** Everything, namespaces first. */
  readonly objects: MeshObject[];
  /** Objects grouped by service (service, slice, pods, its traffic targets). */
  readonly byService: MeshObject[][];
  /** Namespaces, MeshConfig, route groups. */
  readonly common: MeshObject[];
  readonly podCount: number;
}

export function podIp(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function syntheticPod(ns: string, service: number, p: number, n: number, ip = podIp(n)): MeshObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `svc${service}-${p}`,
      namespace: ns,
      uid: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      labels: { app: `svc${service}`, version: 'v1', 'fsm-proxy-uuid': `5a1e0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` },
    },
    spec: {
      serviceAccountName: `sa${service}`,
      nodeName: `node-${n % 50}`,
      containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: { phase: 'Running', podIP: ip },
  };
}

export function syntheticMesh(options: SyntheticMeshOptions = {}): SyntheticMesh {
  const services = options.services ?? 2000;
  const pods = options.podsPerService ?? 5;
  const namespaces = options.namespaces ?? 20;
  const targets = options.trafficTargets ?? 0;
  const nsOf = (i: number) => `ns${i % namespaces}`;
  const common: MeshObject[] = [];
  for (let n = 0; n < namespaces; n++) {
    common.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${n}`, labels: { 'flomesh.io/monitored-by': 'fsm' } } });
    if (options.smi) {
      common.push({
        apiVersion: 'specs.smi-spec.io/v1alpha4',
        kind: 'HTTPRouteGroup',
        metadata: { name: 'routes', namespace: `ns${n}` },
        spec: { matches: [{ name: 'api', pathRegex: '/api/.*', methods: ['GET', 'POST'] }] },
      });
    }
  }
  if (options.smi) {
    common.push({
      apiVersion: 'config.flomesh.io/v1alpha3',
      kind: 'MeshConfig',
      metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' },
      spec: { traffic: { enablePermissiveTrafficPolicyMode: false } },
    });
  }
  const byService: MeshObject[][] = [];
  for (let i = 0; i < services; i++) {
    const ns = nsOf(i);
    const group: MeshObject[] = [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc${i}`, namespace: ns },
        spec: {
          selector: { app: `svc${i}` },
          clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`,
          ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }],
        },
      },
    ];
    const ips: string[] = [];
    for (let p = 0; p < pods; p++) {
      const n = i * pods + p;
      ips.push(podIp(n));
      group.push(syntheticPod(ns, i, p, n));
    }
    group.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `svc${i}-slice`, namespace: ns, labels: { 'kubernetes.io/service-name': `svc${i}` } },
      addressType: 'IPv4',
      endpoints: ips.map((ip, p) => ({ addresses: [ip], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: ns, name: `svc${i}-${p}` } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
    });
    byService.push(group);
  }
  // Targets are spread evenly: target t protects service t % services and admits service (t + 1 + t/services) % services.
  for (let t = 0; t < targets; t++) {
    const dest = t % services;
    const src = (dest + 1 + Math.floor(t / services)) % services;
    (byService[dest] as MeshObject[]).push({
      apiVersion: 'access.smi-spec.io/v1alpha3',
      kind: 'TrafficTarget',
      metadata: { name: `tt${t}`, namespace: nsOf(dest) },
      spec: {
        destination: { kind: 'ServiceAccount', name: `sa${dest}`, namespace: nsOf(dest) },
        sources: [{ kind: 'ServiceAccount', name: `sa${src}`, namespace: nsOf(src) }],
        rules: [{ kind: 'HTTPRouteGroup', name: 'routes' }],
      },
    });
  }
  return { objects: [...common, ...byService.flat()], byService, common, podCount: services * pods };
}

/**
 * Writes `common.<ext>` and `services/svc<i>.<ext>` under `dir`: multi-document
 * YAML, or JSON `List` objects.
 */
export async function writeMeshFiles(mesh: SyntheticMesh, dir: string, format: 'yaml' | 'json' = 'yaml'): Promise<number> {
  await mkdir(join(dir, 'services'), { recursive: true });
  const doc = (objs: MeshObject[]) =>
    format === 'json' ? JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }) : objs.map((o) => stringify(o)).join('---\n');
  await writeFile(join(dir, `common.${format}`), doc(mesh.common));
  let i = 0;
  for (const group of mesh.byService) await writeFile(join(dir, 'services', `svc${i++}.${format}`), doc(group));
  return i + 1;
}

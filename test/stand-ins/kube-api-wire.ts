/**
 * Wire helpers of the Kubernetes API server STAND-IN (kube-api-server.ts):
 * the built-in resource types, discovery documents, `Status` errors, JSON
 * bodies and type metadata of returned objects. Test code only.
 */
import type http from 'node:http';
import { StandInStatusError, type KubeApiStore, type KubeObject, type StandInResource } from './kube-api-store.js';

/** The built-in types every stand-in serves unless `resources` says otherwise. */
export const builtinResources: readonly StandInResource[] = [
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
];

/** Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`); undefined for other paths. */
export function discover(store: KubeApiStore, path: string): unknown {
  const segs = path.split('/').filter(Boolean);
  const all = store.resources();
  const versions = (group: string) => [...new Set(all.filter((r) => groupOf(r) === group).map((r) => r.apiVersion))];
  if (path === '/api') return { kind: 'APIVersions', versions: versions('').map((v) => v), serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [...new Set(all.map(groupOf).filter(Boolean))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => {
        const vs = versions(g).map((gv) => ({ groupVersion: gv, version: gv.split('/')[1] }));
        return { name: g, versions: vs, preferredVersion: vs[0] };
      }),
    };
  }
  const gv = segs[0] === 'api' && segs.length === 2 ? segs[1] : segs[0] === 'apis' && segs.length === 3 ? `${segs[1]}/${segs[2]}` : undefined;
  if (gv === undefined) return undefined;
  const resources = all.filter((r) => r.apiVersion === gv);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.map((r) => ({
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

export function groupOf(r: StandInResource): string {
  return r.apiVersion.includes('/') ? (r.apiVersion.split('/')[0] ?? '') : '';
}

/** Built-in (non-CRD) types: the core group, `apps` and `*.k8s.io` groups. */
export function isBuiltin(r: StandInResource): boolean {
  const g = groupOf(r);
  return g === '' || g === 'apps' || g.endsWith('.k8s.io');
}

export function present(r: StandInResource, o: KubeObject): KubeObject {
  return { apiVersion: r.apiVersion, kind: r.kind, ...withoutTypeMeta(o) } as KubeObject;
}

export function withoutTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as KubeObject;
}

export function statusObject(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export function decodeToken(token: string): { id: string; offset: number } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { id?: unknown; offset?: unknown };
    return typeof parsed.id === 'string' && typeof parsed.offset === 'number' ? { id: parsed.id, offset: parsed.offset } : undefined;
  } catch {
    return undefined;
  }
}

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const e = err instanceof StandInStatusError ? err : new StandInStatusError(500, 'InternalError', err instanceof Error ? err.message : String(err));
  sendJson(res, e.code, statusObject(e.code, e.reason, e.message));
}

export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new StandInStatusError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

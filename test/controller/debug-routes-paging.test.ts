import t from 'tap';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { createDebugRoutes, type DebugRouteDeps } from '../../src/controller/debug-routes.js';
import type { ProxyInfo } from '../../src/model/view.js';

// The debug views page their lists, so neither the answer's size nor its cost grows with the mesh.

function proxy(i: number): ProxyInfo {
  const uuid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return { uuid, namespace: 'ns', podName: `pod-${i}`, serviceAccount: 'sa', identity: 'sa.ns', cnPrefix: `${uuid}.sidecar.sa.ns`, pod: {} as ProxyInfo['pod'] };
}

function routes(proxies: ProxyInfo[]) {
  const cache = createSnapshotCache({ nodeHash: (n) => n.id });
  proxies.forEach((p, i) => cache.streamOpened(i + 1, { id: p.cnPrefix, cluster: '', metadata: { blob: 'x'.repeat(1000) } }));
  const deps = {
    store: { proxies: () => proxies },
    sidecars: { get: () => undefined },
    publisher: { published: () => undefined },
    snapshots: cache,
    repo: { instances: () => [] },
    convergence: { deliveries: () => new Map() },
    debug: true,
  } as unknown as DebugRouteDeps;
  return createDebugRoutes(deps).routes;
}

const call = async (handler: ((url: URL, req: never) => unknown) | undefined, path: string) =>
  (await (handler as (url: URL) => Promise<{ status: number; body: Record<string, unknown> }>)(new URL(`http://admin${path}`))).body;

t.test('/debug/xds lists 100 nodes per page, with the total and the next page', async (t) => {
  const r = routes(Array.from({ length: 250 }, (_, i) => proxy(i)));
  const first = await call(r['/debug/xds'], '/debug/xds');
  t.match(first, { total: 250, offset: 0, limit: 100, next: '/debug/xds?offset=100&limit=100' });
  t.equal(Object.keys(first['nodes'] as object).length, 100);
  const last = await call(r['/debug/xds'], '/debug/xds?offset=200&limit=100');
  t.equal(Object.keys(last['nodes'] as object).length, 50);
  t.equal(last['next'], null);
});

t.test('/debug/proxies lists 100 proxies per page', async (t) => {
  const r = routes(Array.from({ length: 150 }, (_, i) => proxy(i)));
  const first = await call(r['/debug/proxies'], '/debug/proxies?limit=20');
  t.match(first, { total: 150, offset: 0, limit: 20, next: '/debug/proxies?offset=20&limit=20' });
  const listed = first['proxies'] as { uuid: string; xds: unknown[] }[];
  t.equal(listed.length, 20);
  t.equal(listed[0]?.uuid, proxy(0).uuid);
  t.equal(listed[0]?.xds.length, 1, 'with its xDS status');
});

import type { SnapshotCache } from '../../cache/snapshot-cache.js';
import type { PipyRepoServer } from '../../server/pipy-repo/types.js';
import { sidecarCodebaseName, type SidecarConfigSet } from '../generate/sidecar/index.js';
import type { ModelStore } from '../model/store.js';
import type { AdminHandler, AdminServerOptions } from '../observability/admin-http.js';
import { debugPage } from '../observability/debug-page.js';
import { metricsRoute, type Metrics } from '../observability/metrics.js';
import { redact } from '../shared/logger.js';
import type { Source } from '../model/source-events.js';
import type { ConvergenceTracker } from './convergence.js';
import type { NodePublisher } from './node-publisher.js';

export interface DebugRouteDeps {
  store: ModelStore;
  sidecars: SidecarConfigSet;
  publisher: NodePublisher;
  snapshots: SnapshotCache;
  repo: PipyRepoServer;
  metrics: Metrics;
  isReady: () => boolean;
  sources: readonly Source[];
  convergence: ConvergenceTracker;
  /**
   * Serve the /debug/* routes (`--debug`). Off by default, as FSM keeps its
   * debug server off: they list every proxy and codebase name, and in plain
   * HTTP mode a codebase name is all it takes to fetch a proxy's private key
   * from the repo port. /health/* and /metrics are always served (kubelet
   * probes and Prometheus must reach them).
   */
  debug: boolean;
  /** Sources started by connector objects, and the connectors' and registrations' state. */
  registries?: { sources(): readonly Source[]; status(): unknown };
}

/**
 * The admin port's routes: health, Prometheus metrics, and (with `debug`)
 * debug JSON for operators — every proxy with its identity, generated versions and what it
 * acknowledged (xDS) or reports running (Pipy); one proxy's config with
 * private keys redacted; the source and validation errors; every source's
 * status (registry sources: staleness, errors, counts, name mapping) with
 * the connectors and registrations into registries. Nothing here ever
 * contains a private key.
 */
export function createDebugRoutes(d: DebugRouteDeps): Pick<AdminServerOptions, 'routes' | 'prefixRoutes'> {
  const proxies: AdminHandler = (url) => {
    const instances = d.repo.instances();
    const deliveries = d.convergence.deliveries('sidecar');
    const { items, ...page } = debugPage(url, d.store.proxies());
    return {
      status: 200,
      body: {
        ...page,
        proxies: items.map((p) => {
          const cfg = d.sidecars.get(p.uuid);
          const delivery = deliveries.get(p.uuid);
          const name = sidecarCodebaseName(p);
          return {
            uuid: p.uuid,
            pod: `${p.namespace}/${p.podName}`,
            identity: p.identity,
            codebase: name,
            configVersion: cfg?.version ?? null,
            codebaseVersion: d.publisher.published({ generator: 'sidecar', key: p.uuid })?.codebase?.version ?? null,
            pipy: instances
              .filter((i) => i.codebase === name)
              .map((i) => ({ instance: i.instanceId, address: i.address, runningVersion: i.version, reportedAt: i.reportedAt ? new Date(i.reportedAt).toISOString() : null, linked: i.linked })),
            xds: d.snapshots.nodeStatus(p.cnPrefix).map((n) => ({
              streams: n.streams,
              types: n.types.map((t) => ({ typeUrl: t.typeUrl, versionSent: t.versionSent, versionAcked: t.versionAcked, lastNack: t.lastNack ? { ...t.lastNack, time: new Date(t.lastNack.time).toISOString() } : null })),
            })),
            xdsVersion: delivery?.xdsVersion ?? null,
            errors: cfg?.problems ?? [],
          };
        }),
      },
    };
  };

  const oneProxy: AdminHandler = (url) => {
    const id = decodeURIComponent(url.pathname.slice('/debug/proxies/'.length));
    const proxy = d.store.proxyByUuid(id) ?? d.store.proxies().find((p) => `${p.namespace}/${p.podName}` === id);
    const cfg = proxy ? d.sidecars.get(proxy.uuid) : undefined;
    if (!proxy || !cfg) return { status: 404, body: { error: `no proxy "${id}" (by uuid or namespace/pod)` } };
    return { status: 200, body: redact(cfg.config) };
  };

  const errors: AdminHandler = () => ({
    status: 200,
    body: {
      model: d.store.errors(),
      generation: d.store.proxies().flatMap((p) => (d.sidecars.get(p.uuid)?.problems ?? []).map((problem) => ({ proxy: p.uuid, ...problem }))),
      counts: Object.fromEntries(d.store.errorCounts()),
    },
  });

  const always: Record<string, AdminHandler> = {
    '/health/alive': () => ({ status: 200, body: { status: 'alive' } }),
    '/health/ready': () => {
      const ready = d.isReady();
      const missing = d.store.proxies().filter((p) => !d.sidecars.get(p.uuid)).length;
      return { status: ready ? 200 : 503, body: { ready, proxies: d.store.proxies().length, proxiesWithoutConfig: missing, sources: d.sources.map((s) => s.name) } };
    },
    '/metrics': metricsRoute(d.metrics),
  };
  if (!d.debug) return { routes: always };
  return {
    routes: {
      ...always,
      '/debug/proxies': proxies,
      '/debug/errors': errors,
      '/debug/xds': (url) => {
        const { items, ...page } = debugPage(url, d.snapshots.statusKeys().sort());
        return { status: 200, body: { ...page, nodes: Object.fromEntries(items.map((k) => [k, d.snapshots.nodeStatus(k)])) } };
      },
      '/debug/sources': () => ({
        status: 200,
        body: {
          sources: [...d.sources, ...(d.registries?.sources() ?? [])].map((s) => ({ name: s.name, status: s.status?.() ?? null })),
          registries: d.registries?.status() ?? null,
        },
      }),
      '/debug/stats': () => ({ status: 200, body: { sidecars: d.sidecars.stats(), repo: d.repo.stats(), published: d.publisher.size() } }),
    },
    prefixRoutes: { '/debug/proxies/': oneProxy },
  };
}

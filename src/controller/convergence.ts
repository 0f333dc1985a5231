import type { SnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import type { PipyRepoServerOptions } from '../../server/pipy-repo/types.js';
import type { XdsCallbacks } from '../../server/stream-types.js';
import type { ProxyInfo } from '../model/view.js';
import type { Metrics } from '../observability/metrics.js';
import { codebaseName } from './publisher.js';

/** What one proxy was last given and what it confirmed. */
export interface ProxyDelivery {
  readonly uuid: string;
  /** Config version generated (the `Version` in the JSON). */
  readonly configVersion: string;
  /** Pipy codebase etag published. */
  readonly codebaseVersion: string;
  /** SotW version_info of the SidecarConfig type in the proxy's xDS snapshot. */
  readonly xdsVersion: string;
  /** Codebase version the proxy last reported over the repo protocol ("" when none). */
  reportedVersion: string;
  /** xDS version the proxy last acknowledged ("" when none). */
  ackedVersion: string;
}

/**
 * Measures convergence: the time from the source event that caused a new
 * version to the moment the proxy has it — a Pipy sidecar downloading that
 * codebase version (or reporting it in its status POST), or an xDS client acknowledging the
 * SidecarConfig version (SotW ACK). Observations go to
 * `fsm_proxy_convergence_time_seconds{transport}`. Only proxies connected
 * when the version was published count on a transport (an open xDS stream;
 * an admin link, or a version reported before): a sidecar that starts later
 * is starting up, and its wait is not the control plane's.
 */
export interface ConvergenceTracker {
  expect(proxy: ProxyInfo, configVersion: string, codebaseVersion: string, since: number): void;
  forget(uuid: string): void;
  /** A Pipy instance downloaded, or reports running, this codebase version. */
  reported(codebase: string, version: string): void;
  /** xDS server callbacks: acknowledgements, streams in fsm_proxy_connect_count, responses sent and failed. */
  xdsCallbacks(): XdsCallbacks;
  /**
   * Repo server callbacks: downloads and status reports (convergence), admin
   * links in fsm_proxy_connect_count{transport="repo"}, reloads sent and
   * reloads or responses that failed.
   */
  repoCallbacks(): RepoCallbacks;
  deliveries(): ReadonlyMap<string, ProxyDelivery>;
}

export type RepoCallbacks = Required<Pick<PipyRepoServerOptions, 'onFetched' | 'onStatus' | 'onLinkChange' | 'onReloadSent' | 'onSendError'>>;

/** The proxy's CN prefix from a codebase name (`fsm-sidecar/<cn>`). */
const commonNameOf = (codebase: string) => codebase.slice(codebase.lastIndexOf('/') + 1);

export function createConvergenceTracker(opts: { metrics: Metrics; cache: SnapshotCache; clock?: () => number }): ConvergenceTracker {
  const clock = opts.clock ?? Date.now;
  const byUuid = new Map<string, ProxyDelivery>();
  const byCodebase = new Map<string, string>();
  const byNode = new Map<string, string>();
  const pending = new Map<string, { repo?: number; xds?: number }>();
  const streamNodes = new Map<number, string>();
  /** Open xDS streams per node id, and open admin links per codebase: who is connected now. */
  const nodeStreams = new Map<string, number>();
  const codebaseLinks = new Map<string, number>();
  const bump = (m: Map<string, number>, key: string, by: number) => {
    const n = (m.get(key) ?? 0) + by;
    if (n > 0) m.set(key, n);
    else m.delete(key);
  };

  const observe = (uuid: string, transport: 'repo' | 'xds') => {
    const p = pending.get(uuid);
    const since = p?.[transport];
    if (since === undefined || !p) return;
    opts.metrics.proxyConvergenceTime.record(Math.max(0, clock() - since) / 1000, { transport });
    delete p[transport];
    if (p.repo === undefined && p.xds === undefined) pending.delete(uuid);
  };

  const reported = (codebase: string, version: string) => {
    const uuid = byCodebase.get(codebase);
    const d = uuid ? byUuid.get(uuid) : undefined;
    // Pipy 1.5 reports an empty version until its first reload: that says nothing of what it runs.
    if (!uuid || !d || !version) return;
    d.reportedVersion = version;
    if (version === d.codebaseVersion) observe(uuid, 'repo');
  };

  return {
    expect(proxy, configVersion, codebaseVersion, since) {
      const xdsVersion = opts.cache.getSnapshot(proxy.cnPrefix)?.version(TypeUrl.PipySidecarConfig) ?? '';
      const prev = byUuid.get(proxy.uuid);
      byUuid.set(proxy.uuid, { uuid: proxy.uuid, configVersion, codebaseVersion, xdsVersion, reportedVersion: prev?.reportedVersion ?? '', ackedVersion: prev?.ackedVersion ?? '' });
      byCodebase.set(codebaseName(proxy), proxy.uuid);
      byNode.set(proxy.cnPrefix, proxy.uuid);
      const watched = {
        ...((codebaseLinks.get(codebaseName(proxy)) ?? 0) > 0 || prev?.reportedVersion ? { repo: since } : {}),
        ...((nodeStreams.get(proxy.cnPrefix) ?? 0) > 0 ? { xds: since } : {}),
      };
      if (watched.repo === undefined && watched.xds === undefined) pending.delete(proxy.uuid);
      else pending.set(proxy.uuid, watched);
    },
    forget(uuid) {
      byUuid.delete(uuid);
      pending.delete(uuid);
      for (const m of [byCodebase, byNode]) for (const [k, v] of m) if (v === uuid) m.delete(k);
    },
    reported,
    xdsCallbacks() {
      return {
        onStreamRequest(streamId, req) {
          opts.metrics.proxyXdsRequestCount.add(1);
          if (req.node && !streamNodes.has(streamId)) {
            streamNodes.set(streamId, req.node.id);
            bump(nodeStreams, req.node.id, 1);
          }
          if (req.typeUrl !== TypeUrl.PipySidecarConfig || req.errorDetail || !req.versionInfo) return;
          const uuid = byNode.get(streamNodes.get(streamId) ?? '');
          const d = uuid ? byUuid.get(uuid) : undefined;
          if (!uuid || !d) return;
          d.ackedVersion = req.versionInfo;
          if (req.versionInfo === d.xdsVersion) observe(uuid, 'xds');
        },
        onStreamOpen() {
          opts.metrics.proxyConnectCount.add(1, { transport: 'xds' });
        },
        onStreamClosed(streamId) {
          const node = streamNodes.get(streamId);
          if (node !== undefined) bump(nodeStreams, node, -1);
          streamNodes.delete(streamId);
          opts.metrics.proxyConnectCount.add(-1, { transport: 'xds' });
        },
        onStreamResponse() {
          opts.metrics.proxyResponseSendSuccess.add(1);
        },
        onSendError(streamId, typeUrl) {
          const node = streamNodes.get(streamId);
          opts.metrics.proxyResponseSendError.add(1, { ...(node ? { common_name: node } : {}), type: typeUrl || 'ads', transport: 'xds' });
        },
        onDeltaStreamRequest(streamId, req) {
          if (req.node) streamNodes.set(streamId, req.node.id);
        },
        onDeltaStreamOpen() {
          opts.metrics.proxyConnectCount.add(1, { transport: 'xds-delta' });
        },
        onDeltaStreamClosed(streamId) {
          streamNodes.delete(streamId);
          opts.metrics.proxyConnectCount.add(-1, { transport: 'xds-delta' });
        },
        onDeltaStreamResponse() {
          opts.metrics.proxyResponseSendSuccess.add(1);
        },
      } satisfies XdsCallbacks;
    },
    repoCallbacks() {
      const metrics = opts.metrics;
      return {
        // A proxy has a version once it downloaded it (Pipy then reloads); status reports confirm what it runs.
        onFetched: (f) => reported(f.codebase, f.version),
        onStatus: (r) => reported(r.codebase, r.record.version),
        onLinkChange: (e) => {
          bump(codebaseLinks, e.codebase, e.linked ? 1 : -1);
          metrics.proxyConnectCount.add(e.linked ? 1 : -1, { transport: 'repo' });
        },
        onReloadSent: () => metrics.proxyResponseSendSuccess.add(1),
        onSendError: (e) => metrics.proxyResponseSendError.add(1, { common_name: commonNameOf(e.codebase), type: e.kind, transport: 'repo' }),
      };
    },
    deliveries: () => byUuid,
  };
}

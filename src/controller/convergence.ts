import { TypeUrl } from '../../cache/types.js';
import type { PipyRepoServerOptions } from '../../server/pipy-repo/types.js';
import type { XdsCallbacks } from '../../server/stream-types.js';
import type { Metrics, ProxyLabels } from '../observability/metrics.js';
import type { NodeRef, PublishedNode } from './node-publisher.js';

/** What one node was last given and what it confirmed. */
export interface NodeDelivery {
  readonly generator: string;
  readonly key: string;
  /** The generated version (for a sidecar, the `Version` in its JSON). */
  readonly configVersion: string;
  /** Codebase name and etag published ("" when the node has no codebase). */
  readonly codebase: string;
  readonly codebaseVersion: string;
  /** xDS node id and the version of its primary type ("" when the node is not served over xDS). */
  readonly nodeId: string;
  /** The type whose acknowledged version says which generation the node runs. */
  readonly primaryType: string;
  readonly xdsVersion: string;
  /** Codebase version the node last reported over the repo protocol ("" when none). */
  reportedVersion: string;
  /** Version of the primary type the node last acknowledged over xDS ("" when none). */
  ackedVersion: string;
}

/**
 * Measures convergence: the time from the source event that caused a new
 * version to the moment the node has it — a Pipy instance downloading that
 * codebase version (or reporting it in its status POST), or an xDS client
 * acknowledging the version of the node's primary type. Observations go to
 * `fsm_proxy_convergence_time_seconds{transport}`. Only nodes connected when
 * the version was published count on a transport (an open xDS stream; an
 * admin link, or a version reported before): a proxy that starts later is
 * starting up, and its wait is not the control plane's. Generic over
 * generators: it knows nodes only by their published names.
 *
 * It also counts what reaches each proxy and what proxies ask for
 * (fsm_proxy_response_send_success_count, fsm_proxy_response_send_error_count,
 * fsm_proxy_xds_request_count, fsm_proxy_reconnect_count), labelled with the
 * proxy of the node the stream or codebase belongs to; a node's series are
 * removed when it is forgotten.
 */
export interface ConvergenceTracker {
  expect(node: NodeRef, configVersion: string, published: PublishedNode, since: number): void;
  forget(node: NodeRef): void;
  /** xDS server callbacks: acknowledgements, streams in fsm_proxy_connect_count, requests, responses sent and failed. */
  xdsCallbacks(): XdsCallbacks;
  /**
   * Repo server callbacks: downloads and status reports (convergence), admin
   * links in fsm_proxy_connect_count{transport="repo"}, reloads and whole
   * codebases sent, reloads or responses that failed.
   */
  repoCallbacks(): RepoCallbacks;
  /** What each node of a generator was given and confirmed, by node key. */
  deliveries(generator: string): ReadonlyMap<string, NodeDelivery>;
}

export type RepoCallbacks = Required<Pick<PipyRepoServerOptions, 'onFetched' | 'onStatus' | 'onLinkChange' | 'onReloadSent' | 'onSendError'>>;

export interface ConvergenceTrackerOptions {
  readonly metrics: Metrics;
  readonly clock?: () => number;
  /** The proxy a node serves, for the per-proxy metrics' labels (undefined: not a proxy; counted with empty labels). */
  readonly proxyLabels?: (node: NodeRef) => ProxyLabels | undefined;
}

/** Labels of what cannot be told apart: a client whose node is not (yet) published. */
const NO_PROXY: ProxyLabels = { proxy_uuid: '', identity: '' };
/** Request type URLs come from clients: anything this controller does not know is `other`, so they cannot add series. */
const KNOWN_TYPES: ReadonlySet<string> = new Set(Object.values(TypeUrl));
const refKey = (node: NodeRef) => `${node.generator}\u0000${node.key}`;

export function createConvergenceTracker(opts: ConvergenceTrackerOptions): ConvergenceTracker {
  const { metrics } = opts;
  const clock = opts.clock ?? Date.now;
  const byGenerator = new Map<string, Map<string, NodeDelivery>>();
  const byCodebase = new Map<string, NodeDelivery>();
  const byNodeId = new Map<string, NodeDelivery>();
  const pending = new Map<NodeDelivery, { repo?: number; xds?: number }>();
  const streamNodes = new Map<number, string>();
  /** Open xDS streams per node id, and open admin links per codebase: who is connected now. */
  const nodeStreams = new Map<string, number>();
  const codebaseLinks = new Map<string, number>();
  /** Per-proxy labels by node, and the nodes that connected before on a transport (for reconnects). */
  const proxies = new Map<string, ProxyLabels>();
  const connectedBefore = new Set<string>();
  const labelsOf = (d: NodeDelivery | undefined): ProxyLabels => (d && proxies.get(refKey(d))) || NO_PROXY;
  const connected = (d: NodeDelivery | undefined, transport: string) => {
    if (!d) return;
    const key = `${transport}\u0000${refKey(d)}`;
    if (connectedBefore.has(key)) metrics.proxyReconnectCount.add(1);
    else connectedBefore.add(key);
  };
  const streamDelivery = (streamId: number) => byNodeId.get(streamNodes.get(streamId) ?? '');
  const bump = (m: Map<string, number>, key: string, by: number) => {
    const n = (m.get(key) ?? 0) + by;
    if (n > 0) m.set(key, n);
    else m.delete(key);
  };

  const observe = (d: NodeDelivery, transport: 'repo' | 'xds') => {
    const p = pending.get(d);
    const since = p?.[transport];
    if (since === undefined || !p) return;
    metrics.proxyConvergenceTime.record(Math.max(0, clock() - since) / 1000, { transport });
    delete p[transport];
    if (p.repo === undefined && p.xds === undefined) pending.delete(d);
  };

  const reported = (codebase: string, version: string) => {
    const d = byCodebase.get(codebase);
    // Pipy 1.5 reports an empty version until its first reload: that says nothing of what it runs.
    if (!d || !version) return;
    d.reportedVersion = version;
    if (version === d.codebaseVersion) observe(d, 'repo');
  };

  const unlink = (d: NodeDelivery) => {
    pending.delete(d);
    if (byCodebase.get(d.codebase) === d) byCodebase.delete(d.codebase);
    if (byNodeId.get(d.nodeId) === d) byNodeId.delete(d.nodeId);
  };

  return {
    expect(node, configVersion, published, since) {
      let nodes = byGenerator.get(node.generator);
      if (!nodes) byGenerator.set(node.generator, (nodes = new Map()));
      const prev = nodes.get(node.key);
      if (prev) unlink(prev);
      const d: NodeDelivery = {
        generator: node.generator,
        key: node.key,
        configVersion,
        codebase: published.codebase?.name ?? '',
        codebaseVersion: published.codebase?.version ?? '',
        nodeId: published.xds?.nodeId ?? '',
        primaryType: published.xds?.primaryType ?? '',
        xdsVersion: published.xds?.version ?? '',
        reportedVersion: prev?.reportedVersion ?? '',
        ackedVersion: prev?.ackedVersion ?? '',
      };
      nodes.set(node.key, d);
      const labels = opts.proxyLabels?.(node);
      if (labels) proxies.set(refKey(node), labels);
      if (d.codebase) byCodebase.set(d.codebase, d);
      if (d.nodeId) byNodeId.set(d.nodeId, d);
      const watched = {
        ...(d.codebase && ((codebaseLinks.get(d.codebase) ?? 0) > 0 || d.reportedVersion) ? { repo: since } : {}),
        ...(d.nodeId && (nodeStreams.get(d.nodeId) ?? 0) > 0 ? { xds: since } : {}),
      };
      if (watched.repo !== undefined || watched.xds !== undefined) pending.set(d, watched);
    },
    forget(node) {
      const nodes = byGenerator.get(node.generator);
      const d = nodes?.get(node.key);
      if (!d) return;
      nodes?.delete(node.key);
      unlink(d);
      const labels = proxies.get(refKey(node));
      if (labels) metrics.forgetProxy(labels.proxy_uuid);
      proxies.delete(refKey(node));
      for (const transport of ['repo', 'xds']) connectedBefore.delete(`${transport}\u0000${refKey(node)}`);
    },
    xdsCallbacks() {
      return {
        onStreamRequest(streamId, req) {
          if (req.node && !streamNodes.has(streamId)) {
            streamNodes.set(streamId, req.node.id);
            bump(nodeStreams, req.node.id, 1);
            connected(byNodeId.get(req.node.id), 'xds');
          }
          const d = streamDelivery(streamId);
          metrics.proxyXdsRequestCount.add(1, { ...labelsOf(d), type: KNOWN_TYPES.has(req.typeUrl) ? req.typeUrl : 'other' });
          if (req.errorDetail || !req.versionInfo) return;
          if (!d || req.typeUrl !== d.primaryType) return;
          d.ackedVersion = req.versionInfo;
          if (req.versionInfo === d.xdsVersion) observe(d, 'xds');
        },
        onStreamOpen() {
          metrics.proxyConnectCount.add(1, { transport: 'xds' });
        },
        onStreamClosed(streamId) {
          const node = streamNodes.get(streamId);
          if (node !== undefined) bump(nodeStreams, node, -1);
          streamNodes.delete(streamId);
          metrics.proxyConnectCount.add(-1, { transport: 'xds' });
        },
        onStreamResponse(streamId, _req, res) {
          metrics.proxyResponseSendSuccess.add(1, { ...labelsOf(streamDelivery(streamId)), type: res.typeUrl });
        },
        onSendError(streamId, typeUrl) {
          metrics.proxyResponseSendError.add(1, { ...labelsOf(streamDelivery(streamId)), type: typeUrl || 'ads' });
        },
        onDeltaStreamRequest(streamId, req) {
          if (req.node && !streamNodes.has(streamId)) {
            streamNodes.set(streamId, req.node.id);
            connected(byNodeId.get(req.node.id), 'xds');
          }
          metrics.proxyXdsRequestCount.add(1, { ...labelsOf(streamDelivery(streamId)), type: KNOWN_TYPES.has(req.typeUrl) ? req.typeUrl : 'other' });
        },
        onDeltaStreamOpen() {
          metrics.proxyConnectCount.add(1, { transport: 'xds-delta' });
        },
        onDeltaStreamClosed(streamId) {
          streamNodes.delete(streamId);
          metrics.proxyConnectCount.add(-1, { transport: 'xds-delta' });
        },
        onDeltaStreamResponse(streamId, _req, res) {
          metrics.proxyResponseSendSuccess.add(1, { ...labelsOf(streamDelivery(streamId)), type: res.typeUrl });
        },
      } satisfies XdsCallbacks;
    },
    repoCallbacks() {
      return {
        // A proxy has a version once it downloaded it (Pipy then reloads); status reports confirm what it runs.
        onFetched: (f) => {
          metrics.proxyResponseSendSuccess.add(1, { ...labelsOf(byCodebase.get(f.codebase)), type: 'codebase' });
          reported(f.codebase, f.version);
        },
        onStatus: (r) => reported(r.codebase, r.record.version),
        onLinkChange: (e) => {
          bump(codebaseLinks, e.codebase, e.linked ? 1 : -1);
          metrics.proxyConnectCount.add(e.linked ? 1 : -1, { transport: 'repo' });
          if (e.linked) connected(byCodebase.get(e.codebase), 'repo');
        },
        onReloadSent: (e) => metrics.proxyResponseSendSuccess.add(1, { ...labelsOf(byCodebase.get(e.codebase)), type: 'reload' }),
        onSendError: (e) => metrics.proxyResponseSendError.add(1, { ...labelsOf(byCodebase.get(e.codebase)), type: e.kind }),
      };
    },
    deliveries: (generator) => byGenerator.get(generator) ?? new Map(),
  };
}

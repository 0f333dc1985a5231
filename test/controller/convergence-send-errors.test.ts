import t, { type Test } from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createConvergenceTracker } from '../../src/controller/convergence.js';
import type { PublishedNode } from '../../src/controller/node-publisher.js';
import { createMetrics } from '../../src/observability/metrics.js';

// How the convergence tracker's server callbacks turn delivery events into
// FSM's per-proxy metrics (labels proxy_uuid, identity, type).

/** The sample lines of one metric, label text → value. */
function samples(text: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out[m[2] ?? ''] = Number(m[3]);
  }
  return out;
}

const CN_A = 'uuid-a.sidecar.sa-a.ns';
const CN_B = 'uuid-b.sidecar.sa-b.ns';
const published = (cn: string): PublishedNode => ({ codebase: { name: `fsm-sidecar/${cn}`, version: 'e1' }, xds: { nodeId: cn, primaryType: TypeUrl.PipySidecarConfig, version: 'v1' } });
const proxyOf = { 'uuid-a': { proxy_uuid: 'uuid-a', identity: 'sa-a.ns' }, 'uuid-b': { proxy_uuid: 'uuid-b', identity: 'sa-b.ns' } } as Record<string, { proxy_uuid: string; identity: string }>;
const request = (id: string, typeUrl: string = TypeUrl.PipySidecarConfig) => ({ versionInfo: '', node: { id, cluster: 'c' }, resourceNames: [], typeUrl, responseNonce: '' });

function setup(t: Test) {
  const metrics = createMetrics();
  t.teardown(() => metrics.close());
  const tracker = createConvergenceTracker({ metrics, proxyLabels: (n) => proxyOf[n.key] });
  tracker.expect({ generator: 'sidecar', key: 'uuid-a' }, 'c1', published(CN_A), 0);
  tracker.expect({ generator: 'sidecar', key: 'uuid-b' }, 'c1', published(CN_B), 0);
  return { metrics, tracker };
}

t.test('xDS: requests, responses and send errors carry the proxy of the stream and the type URL', async (t) => {
  const { metrics, tracker } = setup(t);
  const cb = tracker.xdsCallbacks();
  cb.onStreamRequest?.(1, request(CN_A));
  // Later requests of a stream carry no node: the stream's first one named it.
  cb.onStreamRequest?.(1, { versionInfo: 'v1', resourceNames: [], typeUrl: TypeUrl.PipySidecarConfig, responseNonce: '1' });
  cb.onStreamResponse?.(1, undefined, { typeUrl: TypeUrl.PipySidecarConfig, versionInfo: 'v1', nonce: '1', resources: [] });
  cb.onSendError?.(1, '', 'client did not read');
  // A client whose node id is no proxy the controller published: counted, without per-proxy labels.
  cb.onStreamRequest?.(2, request('made-up-node'));
  // A type URL a client invents does not become a label value.
  cb.onStreamRequest?.(2, request('made-up-node', 'type.example.com/x.Y'));
  cb.onDeltaStreamRequest?.(3, { node: { id: CN_B, cluster: 'c' }, typeUrl: TypeUrl.Cluster, resourceNamesSubscribe: [], resourceNamesUnsubscribe: [], initialResourceVersions: new Map(), responseNonce: '' });
  cb.onDeltaStreamResponse?.(3, undefined, { typeUrl: TypeUrl.Cluster, systemVersionInfo: '', nonce: '1', resources: [], removedResources: [] });
  cb.onSendError?.(3, TypeUrl.Cluster, 'write failed');

  const text = metrics.scrape();
  const a = 'proxy_uuid="uuid-a",identity="sa-a.ns"';
  const b = 'proxy_uuid="uuid-b",identity="sa-b.ns"';
  const none = 'proxy_uuid="",identity=""';
  t.same(samples(text, 'fsm_proxy_xds_request_count'), {
    [`${a},type="${TypeUrl.PipySidecarConfig}"`]: 2,
    [`${none},type="${TypeUrl.PipySidecarConfig}"`]: 1,
    [`${none},type="other"`]: 1,
    [`${b},type="${TypeUrl.Cluster}"`]: 1,
  });
  t.same(samples(text, 'fsm_proxy_response_send_success_count'), { [`${a},type="${TypeUrl.PipySidecarConfig}"`]: 1, [`${b},type="${TypeUrl.Cluster}"`]: 1 });
  t.same(samples(text, 'fsm_proxy_response_send_error_count'), { [`${a},type="ads"`]: 1, [`${b},type="${TypeUrl.Cluster}"`]: 1 });
});

t.test('repo: links move the gauge, reloads and whole codebases count as sent, failures as send errors', async (t) => {
  const { metrics, tracker } = setup(t);
  const cb = tracker.repoCallbacks();
  const link = { codebase: `fsm-sidecar/${CN_A}`, instanceId: 'i', address: '127.0.0.1' };
  cb.onLinkChange({ ...link, linked: true });
  cb.onLinkChange({ ...link, instanceId: 'j', linked: true });
  cb.onLinkChange({ ...link, linked: false });
  cb.onReloadSent({ codebase: link.codebase, instanceId: 'j' });
  cb.onFetched({ codebase: link.codebase, version: 'e1', address: '127.0.0.1' });
  cb.onSendError({ codebase: link.codebase, kind: 'response', address: '127.0.0.1', reason: 'reset' });
  cb.onSendError({ codebase: 'fsm-sidecar/not-a-proxy', kind: 'reload', address: '127.0.0.1', reason: 'reset' });
  const text = metrics.scrape();
  t.same(samples(text, 'fsm_proxy_connect_count'), { 'transport="repo"': 1, 'transport="xds"': 0, 'transport="xds-delta"': 0 }, 'two opened, one closed; every transport present');
  t.same(samples(text, 'fsm_proxy_reconnect_count'), { '': 1 }, 'the second link of a known proxy is a reconnect');
  const a = 'proxy_uuid="uuid-a",identity="sa-a.ns"';
  t.same(samples(text, 'fsm_proxy_response_send_success_count'), { [`${a},type="reload"`]: 1, [`${a},type="codebase"`]: 1 });
  t.same(samples(text, 'fsm_proxy_response_send_error_count'), { [`${a},type="response"`]: 1, 'proxy_uuid="",identity="",type="reload"': 1 });
});

t.test("a forgotten proxy's series are removed; other proxies' stay", async (t) => {
  const { metrics, tracker } = setup(t);
  const cb = tracker.xdsCallbacks();
  cb.onStreamRequest?.(1, request(CN_A));
  cb.onStreamRequest?.(2, request(CN_B));
  tracker.repoCallbacks().onReloadSent({ codebase: `fsm-sidecar/${CN_A}`, instanceId: 'i' });
  tracker.forget({ generator: 'sidecar', key: 'uuid-a' });
  const text = metrics.scrape();
  t.notMatch(text, /uuid-a/, 'no series of the gone proxy');
  t.same(samples(text, 'fsm_proxy_xds_request_count'), { [`proxy_uuid="uuid-b",identity="sa-b.ns",type="${TypeUrl.PipySidecarConfig}"`]: 1 });
  // A request on the gone proxy's stream still counts, under no proxy.
  cb.onStreamRequest?.(1, request(CN_A));
  t.equal(samples(metrics.scrape(), 'fsm_proxy_xds_request_count')[`proxy_uuid="",identity="",type="${TypeUrl.PipySidecarConfig}"`], 1);
});

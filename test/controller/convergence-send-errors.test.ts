import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createConvergenceTracker } from '../../src/controller/convergence.js';
import { createMetrics } from '../../src/observability/metrics.js';

// How the convergence tracker's server callbacks turn delivery events into metrics.

/** The sample lines of one metric, label text → value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

const request = (id: string) => ({ versionInfo: '', node: { id, cluster: 'c' }, resourceNames: [], typeUrl: TypeUrl.PipySidecarConfig, responseNonce: '' });

t.test('xDS send errors carry the stream node, the type and transport="xds"', async (t) => {
  const metrics = createMetrics();
  t.teardown(() => metrics.shutdown());
  const cb = createConvergenceTracker({ metrics }).xdsCallbacks();
  cb.onStreamRequest?.(1, request('proxy-a'));
  cb.onSendError?.(1, '', 'client did not read');
  cb.onSendError?.(1, '', 'client did not read');
  cb.onStreamClosed?.(1);
  // After the close the node is forgotten: the error still counts, without a common name.
  cb.onSendError?.(1, TypeUrl.Cluster, 'write failed');
  cb.onDeltaStreamRequest?.(2, { node: { id: 'proxy-b', cluster: 'c' }, typeUrl: TypeUrl.Cluster, resourceNamesSubscribe: [], resourceNamesUnsubscribe: [], initialResourceVersions: new Map(), responseNonce: '' });
  cb.onSendError?.(2, TypeUrl.Cluster, 'write failed');

  const got = samples(await metrics.scrape(), 'fsm_proxy_response_send_error_count');
  t.same(
    Object.fromEntries(got),
    {
      'common_name="proxy-a",type="ads",transport="xds"': 2,
      [`type="${TypeUrl.Cluster}",transport="xds"`]: 1,
      [`common_name="proxy-b",type="${TypeUrl.Cluster}",transport="xds"`]: 1,
    },
    'one series per node and type',
  );
});

t.test('repo callbacks: links move the gauge, reloads count as sent, failures as send errors', async (t) => {
  const metrics = createMetrics();
  t.teardown(() => metrics.shutdown());
  const cb = createConvergenceTracker({ metrics }).repoCallbacks();
  const link = { codebase: 'fsm-sidecar/cn-1', instanceId: 'i', address: '127.0.0.1' };
  cb.onLinkChange({ ...link, linked: true });
  cb.onLinkChange({ ...link, instanceId: 'j', linked: true });
  cb.onLinkChange({ ...link, linked: false });
  cb.onReloadSent({ codebase: link.codebase, instanceId: 'j' });
  cb.onSendError({ codebase: link.codebase, kind: 'response', address: '127.0.0.1', reason: 'reset' });
  const text = await metrics.scrape();
  t.same(Object.fromEntries(samples(text, 'fsm_proxy_connect_count')), { 'transport="repo"': 1 }, 'two opened, one closed');
  t.same(Object.fromEntries(samples(text, 'fsm_proxy_response_send_success_count')), { '': 1 });
  t.same(Object.fromEntries(samples(text, 'fsm_proxy_response_send_error_count')), { 'common_name="cn-1",type="response",transport="repo"': 1 });
});

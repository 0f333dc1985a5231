import t, { type Test } from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createConvergenceTracker } from '../../src/controller/convergence.js';
import type { PublishedNode } from '../../src/controller/node-publisher.js';
import { createMetrics } from '../../src/observability/metrics.js';

// Convergence is the control plane's delay to proxies that were connected when a version was published.

const CN = 'uuid-1.sidecar.sa.ns';
const CODEBASE = `fsm-sidecar/${CN}`;
const node = { generator: 'sidecar', key: 'uuid-1' };
/** What the publisher reports for the node: codebase etag `etag`, SidecarConfig version x1. */
const published = (etag: string): PublishedNode => ({ codebase: { name: CODEBASE, version: etag }, xds: { nodeId: CN, primaryType: TypeUrl.PipySidecarConfig, version: 'x1' } });

/** Samples of the convergence histogram: count and sum per transport. */
function convergence(text: string): Record<string, { count: number; sum: number }> {
  const out: Record<string, { count: number; sum: number }> = {};
  for (const line of text.split('\n')) {
    const m = /^fsm_proxy_convergence_time_seconds_(count|sum)\{transport="(\w+)"\} (\S+)$/.exec(line);
    if (!m) continue;
    const entry = (out[m[2] as string] ??= { count: 0, sum: 0 });
    entry[m[1] as 'count' | 'sum'] = Number(m[3]);
  }
  // Every transport's series exists from the start: only those with observations matter here.
  for (const [transport, entry] of Object.entries(out)) if (entry.count === 0) delete out[transport];
  return out;
}

async function setup(t: Test) {
  const metrics = createMetrics();
  t.teardown(() => metrics.close());
  let now = 1_000_000;
  const tracker = createConvergenceTracker({ metrics, clock: () => now });
  return { metrics, tracker, advance: (ms: number) => (now += ms), now: () => now };
}

t.test('a Pipy that starts after the version was published is starting up: not counted', async (t) => {
  const s = await setup(t);
  s.tracker.expect(node, 'c1', published('etag-1'), s.now());
  s.advance(59_000);
  s.tracker.repoCallbacks().onFetched({ codebase: CODEBASE, version: 'etag-1', address: '10.0.0.1' });
  t.same(convergence(await s.metrics.scrape()), {}, 'no observation');
  t.equal(s.tracker.deliveries('sidecar').get('uuid-1')?.reportedVersion, 'etag-1', 'but what it fetched is recorded');
});

t.test('a linked Pipy converges from the change to its download; an empty reported version changes nothing', async (t) => {
  const s = await setup(t);
  const repo = s.tracker.repoCallbacks();
  repo.onLinkChange({ codebase: CODEBASE, instanceId: 'i-1', address: '10.0.0.1', linked: true });
  s.tracker.expect(node, 'c1', published('etag-1'), s.now());
  s.advance(300);
  repo.onFetched({ codebase: CODEBASE, version: 'etag-1', address: '10.0.0.1' });
  s.advance(5_000);
  repo.onFetched({ codebase: CODEBASE, version: 'etag-1', address: '10.0.0.1' });
  t.same(convergence(await s.metrics.scrape()), { repo: { count: 1, sum: 0.3 } }, 'one observation, from the change to the download');

  const status = (version: string) => ({ codebase: CODEBASE, address: '10.0.0.1', body: {}, record: { codebase: CODEBASE, instanceId: 'i-1', address: '10.0.0.1', version, name: '', reportedAt: s.now(), linked: true } });
  repo.onStatus(status(''));
  t.equal(s.tracker.deliveries('sidecar').get('uuid-1')?.reportedVersion, 'etag-1', "Pipy's empty version before its first reload keeps what it fetched");

  // Without a link, a proxy that reported before still counts as connected.
  repo.onLinkChange({ codebase: CODEBASE, instanceId: 'i-1', address: '10.0.0.1', linked: false });
  s.tracker.expect(node, 'c2', published('etag-2'), s.now());
  s.advance(200);
  repo.onStatus(status('etag-2'));
  t.same(convergence(await s.metrics.scrape()), { repo: { count: 2, sum: 0.5 } });
});

t.test('an xDS proxy counts when its stream was open at the change, until it acknowledges the version', async (t) => {
  const s = await setup(t);
  const xds = s.tracker.xdsCallbacks();
  const request = (versionInfo: string) => ({ versionInfo, node: { id: CN, cluster: 'c' }, resourceNames: [CN], typeUrl: TypeUrl.PipySidecarConfig, responseNonce: '' });
  s.tracker.expect(node, 'c1', published('etag-1'), s.now());
  xds.onStreamOpen?.(7, '', { address: '10.0.0.1:5000' });
  xds.onStreamRequest?.(7, request(''));
  xds.onStreamRequest?.(7, request('x1'));
  t.same(convergence(await s.metrics.scrape()), {}, 'a stream opened after the change is a start, not convergence');
  t.equal(s.tracker.deliveries('sidecar').get('uuid-1')?.ackedVersion, 'x1');

  s.tracker.expect(node, 'c1', published('etag-1'), s.now());
  s.advance(150);
  xds.onStreamRequest?.(7, request('x1'));
  t.same(convergence(await s.metrics.scrape()), { xds: { count: 1, sum: 0.15 } }, 'the open stream acknowledged the version');

  xds.onStreamClosed?.(7);
  s.tracker.expect(node, 'c1', published('etag-1'), s.now());
  xds.onStreamOpen?.(8, '', { address: '10.0.0.1:5001' });
  xds.onStreamRequest?.(8, request('x1'));
  t.same(convergence(await s.metrics.scrape()), { xds: { count: 1, sum: 0.15 } }, 'after its stream closed the proxy is starting again');
});

import t from 'tap';
import { createResource } from '../../../cache/resource.js';
import { TypeUrl } from '../../../cache/types.js';
import { connect, eventually, startServer } from '../../support/xds-harness.js';
import { stuckAdsClient } from '../../support/stuck-ads-client.js';

t.test('a client that never reads is cancelled; memory stays bounded; others are served promptly', async (t) => {
  const closed: number[] = [];
  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, ...(fields ? { fields } : {}) }) };
  const big = createResource({ typeUrl: TypeUrl.Cluster, name: 'big', bytes: new Uint8Array(3 * 1024 * 1024).fill(7) });
  const { address, watcher, server } = await startServer(t, {
    limits: { maxQueuedBytesPerStream: 256 * 1024, sendTimeoutMs: 500 },
    callbacks: { onStreamClosed: (id) => closed.push(id) },
    logger,
  });
  watcher.set(TypeUrl.Cluster, 'v1', [big]);
  watcher.set(TypeUrl.Listener, 'l1', [{ name: 'l' }]);
  stuckAdsClient(t, address, TypeUrl.Cluster, 6);
  t.ok(await eventually(() => server.activeStreams === 1), 'stuck stream open');

  const healthy = connect(t, address);
  healthy.subscribe(TypeUrl.Listener, []);
  const r = await healthy.next({ timeoutMs: 1000 });
  t.equal(r.versionInfo, 'l1', 'another client is served within 1 s while one is stuck');

  t.ok(await eventually(() => closed.length === 1, 5000), 'the stuck stream was cancelled');
  t.equal(server.activeStreams, 1, 'only the healthy stream remains');
  const stall = warnings.find((w) => w.msg === 'cancelling stream: client is not reading');
  t.ok(stall, 'cancelled because it did not read');
  const unsent = Number(stall?.fields?.['unsentBytes']);
  t.ok(unsent > 256 * 1024, 'it was above the limit');
  // At most one response in flight plus one queued for the type: 6 requests did not queue 6 × 3 MiB.
  t.ok(unsent <= 2 * (big.any.length + 1024), `unsent bytes bounded (${unsent})`);
  healthy.ack(r);
  watcher.set(TypeUrl.Listener, 'l2', [{ name: 'l' }]);
  t.equal((await healthy.next({ timeoutMs: 1000 })).versionInfo, 'l2');
});

t.test('close forces a stuck stream after the grace period', async (t) => {
  const big = createResource({ typeUrl: TypeUrl.Cluster, name: 'big', bytes: new Uint8Array(3 * 1024 * 1024).fill(1) });
  const { address, watcher, server } = await startServer(t, { limits: { maxQueuedBytesPerStream: 64 * 1024, sendTimeoutMs: 60_000 } });
  watcher.set(TypeUrl.Cluster, 'v1', [big]);
  stuckAdsClient(t, address, TypeUrl.Cluster, 1);
  t.ok(await eventually(() => watcher.progress.some((p) => p.event === 'sent')), 'the response was handed to the call');
  let done = false;
  const closing = server.close({ graceMs: 300 }).then(() => (done = true));
  t.ok(await eventually(() => done, 5000), 'close resolved although the client never read');
  await closing;
  t.equal(server.activeStreams, 0);
  t.equal(watcher.closed.length, 1);
});

import t from 'tap';
import { createResource } from '../../../cache/resource.js';
import { TypeUrl } from '../../../cache/types.js';
import { connect, eventually, startServer } from '../../support/xds-harness.js';
import { stuckAdsClient } from '../../support/stuck-ads-client.js';

// onSendError: a response the server could not deliver is reported through the
// callbacks (the controller turns it into fsm_proxy_response_send_error_count).

t.test('a stream cancelled because the client stopped reading reports a send error before it closes', async (t) => {
  const events: string[] = [];
  const errors: Array<{ streamId: number; typeUrl: string; reason: string }> = [];
  const big = createResource({ typeUrl: TypeUrl.Cluster, name: 'big', bytes: new Uint8Array(3 * 1024 * 1024).fill(3) });
  const { address, watcher, server } = await startServer(t, {
    limits: { maxQueuedBytesPerStream: 128 * 1024, sendTimeoutMs: 300 },
    callbacks: {
      onSendError: (streamId, typeUrl, reason) => {
        errors.push({ streamId, typeUrl, reason });
        events.push(`error ${streamId}`);
      },
      onStreamClosed: (streamId) => void events.push(`closed ${streamId}`),
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [big]);
  watcher.set(TypeUrl.Listener, 'l1', [{ name: 'l' }]);

  const healthy = connect(t, address);
  healthy.subscribe(TypeUrl.Listener, []);
  t.equal((await healthy.next({ timeoutMs: 5000 })).versionInfo, 'l1', 'a reading client is served');

  stuckAdsClient(t, address, TypeUrl.Cluster);
  t.ok(await eventually(() => errors.length === 1, 10_000), 'the stuck stream reported a send error');
  const e = errors[0]!;
  t.equal(e.typeUrl, '', 'ADS: the stream type is empty');
  t.match(e.reason, /did not read \d+ bytes within 300 ms/);
  t.ok(await eventually(() => events.includes(`closed ${e.streamId}`)), 'and then closed');
  t.same(
    events.filter((x) => x.endsWith(` ${e.streamId}`)),
    [`error ${e.streamId}`, `closed ${e.streamId}`],
    'the error comes before the close (the node is still known)',
  );
  t.equal(server.activeStreams, 1, 'the reading client stays connected');
  t.equal(errors.length, 1, 'the reading client had no send error');
});

t.test('an onSendError that throws does not break the server', async (t) => {
  let calls = 0;
  const big = createResource({ typeUrl: TypeUrl.Cluster, name: 'big', bytes: new Uint8Array(2 * 1024 * 1024).fill(5) });
  const { address, watcher, server } = await startServer(t, {
    limits: { maxQueuedBytesPerStream: 64 * 1024, sendTimeoutMs: 200 },
    callbacks: {
      onSendError: () => {
        calls++;
        throw new Error('boom');
      },
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [big]);
  stuckAdsClient(t, address, TypeUrl.Cluster);
  t.ok(await eventually(() => calls === 1, 10_000), 'called');
  t.ok(await eventually(() => server.activeStreams === 0), 'the stuck stream was still cancelled');
  watcher.set(TypeUrl.Listener, 'l1', [{ name: 'l' }]);
  const client = connect(t, address);
  client.subscribe(TypeUrl.Listener, []);
  t.equal((await client.next({ timeoutMs: 5000 })).versionInfo, 'l1', 'new streams are served');
});

import t from 'tap';
import { encodeCounter } from '../../cache/resource.js';
import { createSnapshot, type Snapshot } from '../../cache/snapshot.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl, UnknownTypeError, type DeltaResponse, type SotwResponse } from '../../cache/types.js';
import { names, node, recorder, req, res, sub } from './fixtures/helpers.js';

const { Cluster, Endpoint, Listener, Route, Secret, PipySidecarConfig } = TypeUrl;

function snap(clusters: string[], extra: Record<string, string[]> = {}): Snapshot {
  const resources: Record<string, ReturnType<typeof res>[]> = { [Cluster]: clusters.map((c) => res(Cluster, ...splitContent(c))) };
  for (const [type, list] of Object.entries(extra)) resources[type] = list.map((x) => res(type, ...splitContent(x)));
  return createSnapshot({ resources });
}

/** "name=content" or "name". */
function splitContent(spec: string): [string, string] {
  const [name = spec, content = name] = spec.split('=');
  return [name, content];
}

t.test('a pending watch is answered by setSnapshot; later watches synchronously', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  const first = recorder<SotwResponse>();
  cache.createWatch(req(n, Cluster), sub({ wildcard: true }), first.respond);
  t.equal(first.got.length, 0, 'no snapshot yet: pending');
  t.equal(cache.numWatches('n1'), 1);
  const s = snap(['a', 'b']);
  cache.setSnapshot('n1', s);
  t.equal(first.got.length, 1);
  t.equal(first.got[0]?.version, s.version(Cluster));
  t.same(names(first.got[0]?.resources ?? []), ['a', 'b']);
  t.equal(cache.numWatches(), 0, 'answered watches are gone (one-shot)');
  t.equal(cache.getSnapshot('n1'), s);

  const again = recorder<SotwResponse>();
  cache.createWatch(req(n, Cluster), sub({ wildcard: true }), again.respond);
  t.equal(again.got.length, 1, 'answered inside createWatch');
});

t.test('a NACKed version is parked until the content changes', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  const s1 = snap(['a', 'b']);
  cache.setSnapshot('n1', s1);
  const sent = recorder<SotwResponse>();
  cache.createWatch(req(n, Cluster), sub({ wildcard: true }), sent.respond);
  const response = sent.got[0];
  if (!response) throw new Error('expected a response');

  // The client rejects it: the server passes the rejected version and keeps `returned` as sent.
  const afterNack = recorder<SotwResponse>();
  cache.recordProgress(n, 'nack', { typeUrl: Cluster, version: response.version, nonce: '1', error: 'bad cluster' });
  cache.createWatch(req(n, Cluster, response.version), sub({ wildcard: true, returned: response.returned }), afterNack.respond);
  t.equal(afterNack.got.length, 0, 'not resent');
  cache.setSnapshot('n1', snap(['a', 'b']));
  t.equal(afterNack.got.length, 0, 'same content in a new snapshot object: still parked');
  cache.setSnapshot('n1', snap(['a', 'b=fixed']));
  t.equal(afterNack.got.length, 1, 'changed content is sent');
  t.same(names(afterNack.got[0]?.resources ?? []), ['a', 'b']);
  const status = cache.nodeStatus('n1')[0]?.types.find((x) => x.typeUrl === Cluster);
  t.match(status?.lastNack, { version: response.version, error: 'bad cluster' });
});

t.test('cancel is idempotent and safe after the watch fired', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  const r = recorder<SotwResponse>();
  const cancel = cache.createWatch(req(n, Cluster), sub({ wildcard: true }), r.respond);
  cancel();
  cancel();
  t.equal(cache.numWatches(), 0);
  cache.setSnapshot('n1', snap(['a']));
  t.equal(r.got.length, 0, 'a cancelled watch never fires');

  const fired = recorder<SotwResponse>();
  const cancelLater = cache.createWatch(req(n, Endpoint), sub({ names: ['e'] }), fired.respond);
  cache.setSnapshot('n1', snap(['a'], { [Endpoint]: ['e'] }));
  t.equal(fired.got.length, 1);
  t.doesNotThrow(() => cancelLater());
  t.equal(cache.numWatches(), 0);
  t.same(cache.statusKeys(), ['n1'], 'node without streams but with a snapshot is retained');
});

t.test('setSnapshot answers in ADS order whatever the watch order', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  const order: string[] = [];
  const types = [PipySidecarConfig, Secret, Route, Listener, Endpoint, Cluster];
  for (const type of types) {
    cache.createWatch(req(n, type), sub({ wildcard: true }), (r) => void order.push(r.typeUrl));
  }
  cache.setSnapshot(
    'n1',
    snap(['c'], { [Endpoint]: ['e'], [Listener]: ['l'], [Route]: ['r'], [Secret]: ['s'], [PipySidecarConfig]: ['p'] }),
  );
  t.same(order, [Cluster, Endpoint, Listener, Route, Secret, PipySidecarConfig]);
});

t.test('with ads: false, setSnapshot answers in watch creation order', async (t) => {
  const cache = createSnapshotCache({ ads: false });
  const n = node('n1');
  const order: string[] = [];
  for (const type of [Route, Cluster, Listener]) cache.createWatch(req(n, type), sub({ wildcard: true }), (r) => void order.push(r.typeUrl));
  cache.setSnapshot('n1', snap(['c'], { [Listener]: ['l'], [Route]: ['r'] }));
  t.same(order, [Route, Cluster, Listener]);
});

t.test('nodes sharing a snapshot share response objects; the cache never encodes', async (t) => {
  const cache = createSnapshotCache({ nodeHash: (nd) => nd.cluster });
  const got: SotwResponse[] = [];
  for (let i = 0; i < 100; i++) {
    cache.createWatch(req(node(`n${i}`, 'group'), Cluster), sub({ wildcard: true }), (r) => void got.push(r));
    cache.createWatch(req(node(`n${i}`, 'group'), Endpoint), sub({ names: ['e1', 'e2'] }), (r) => void got.push(r));
  }
  const s = snap(['a', 'b'], { [Endpoint]: ['e1', 'e2', 'e3'] });
  const encodedBefore = encodeCounter.any;
  cache.setSnapshot('group', s);
  t.equal(got.length, 200);
  t.equal(new Set(got).size, 2, 'one CDS and one EDS response object for 100 nodes');
  t.equal(encodeCounter.any, encodedBefore, 'no Any encoding in the cache');

  // Other keys holding the same snapshot object share them too.
  const other = createSnapshotCache();
  other.setSnapshot('solo', s);
  const solo = recorder<SotwResponse>();
  other.createWatch(req(node('solo'), Cluster), sub({ wildcard: true }), solo.respond);
  t.equal(solo.got[0], got.find((r) => r.typeUrl === Cluster));
});

t.test('clearSnapshot keeps pending watches; they fire when a snapshot is set again', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  cache.setSnapshot('n1', snap(['a']));
  const first = recorder<SotwResponse>();
  cache.createWatch(req(n, Cluster), sub({ wildcard: true }), first.respond);
  const parked = recorder<SotwResponse>();
  cache.createWatch(req(n, Cluster, first.got[0]?.version), sub({ wildcard: true, returned: first.got[0]?.returned }), parked.respond);
  cache.clearSnapshot('n1');
  t.equal(cache.getSnapshot('n1'), undefined);
  t.equal(cache.numWatches('n1'), 1, 'still pending');
  cache.setSnapshot('n1', snap(['a', 'b']));
  t.equal(parked.got.length, 1);
  t.same(names(parked.got[0]?.resources ?? []), ['a', 'b']);
});

t.test('status: streams, clock, sent/acked versions, NACKs, pending watches', async (t) => {
  let now = 1000;
  const cache = createSnapshotCache({ clock: () => now });
  const n = node('n1');
  cache.streamOpened(1, n);
  cache.streamOpened(2, { ...n, metadata: { zone: 'b' } });
  cache.recordProgress(n, 'request', { typeUrl: Cluster, version: '', nonce: '' });
  now = 2000;
  cache.recordProgress(n, 'sent', { typeUrl: Cluster, version: 'v1', nonce: '7' });
  cache.recordProgress(n, 'ack', { typeUrl: Cluster, version: 'v1', nonce: '7' });
  cache.recordProgress(n, 'sent', { typeUrl: Cluster, version: 'v2', nonce: '8' });
  now = 3000;
  cache.recordProgress(n, 'nack', { typeUrl: Cluster, version: 'v2', nonce: '8', error: 'boom' });
  cache.createWatch(req(n, Endpoint), sub({ names: ['e'] }), () => {});

  const [st, ...rest] = cache.nodeStatus('n1');
  t.equal(rest.length, 0);
  t.equal(st?.streams, 2);
  t.same(st?.node.metadata, { zone: 'b' }, 'node info refreshed by the latest stream');
  t.equal(st?.lastRequestTime, 3000, 'watch creation counts as a request');
  t.same(st?.types, [
    { typeUrl: Cluster, versionSent: 'v2', nonceSent: '8', versionAcked: 'v1', lastNack: { version: 'v2', error: 'boom', time: 3000 }, watches: 0 },
    { typeUrl: Endpoint, versionSent: '', nonceSent: '', versionAcked: '', watches: 1 },
  ]);
  t.same(cache.statusKeys(), ['n1']);
  t.same(cache.nodeStatus('unknown'), []);
});

t.test('status of 10k distinct short-lived nodes is dropped', async (t) => {
  const cache = createSnapshotCache();
  for (let i = 0; i < 10_000; i++) {
    const n = node(`pod-${i}`);
    cache.streamOpened(i, n);
    cache.recordProgress(n, 'request', { typeUrl: Cluster, version: '', nonce: '' });
    const cancel = cache.createWatch(req(n, Cluster), sub({ wildcard: true }), () => {});
    if (i % 2 === 0) {
      cancel();
      cache.streamClosed(i, n);
    } else {
      cache.streamClosed(i, n);
      cancel();
    }
  }
  t.equal(cache.statusKeys().length, 0);
  t.equal(cache.numWatches(), 0);
});

t.test('disconnected nodes of a key with a snapshot are retained, bounded, and dropped on clear', async (t) => {
  const cache = createSnapshotCache({ nodeHash: (nd) => nd.cluster, maxDisconnectedNodesPerKey: 4 });
  cache.setSnapshot('group', snap(['a']));
  for (let i = 0; i < 1000; i++) {
    const n = node(`pod-${i}`, 'group');
    cache.streamOpened(i, n);
    cache.streamClosed(i, n);
  }
  const live = node('live', 'group');
  cache.streamOpened(5000, live);
  const status = cache.nodeStatus('group');
  t.same(
    status.map((s) => [s.node.id, s.streams]),
    [['pod-996', 0], ['pod-997', 0], ['pod-998', 0], ['pod-999', 0], ['live', 1]],
  );
  cache.clearSnapshot('group');
  t.same(cache.nodeStatus('group').map((s) => s.node.id), ['live']);
  cache.streamClosed(5000, live);
  t.same(cache.statusKeys(), []);
});

t.test('callbacks may re-enter the cache; a throwing callback does not stop the fan-out', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  const acks: SotwResponse[] = [];
  const ackLoop = (r: SotwResponse): void => {
    acks.push(r);
    cache.createWatch(req(n, Cluster, r.version), sub({ wildcard: true, returned: r.returned }), ackLoop);
  };
  cache.createWatch(req(n, Endpoint), sub({ names: ['e'] }), () => {
    throw new Error('callback bug');
  });
  cache.createWatch(req(n, Cluster), sub({ wildcard: true }), ackLoop);
  const eds = recorder<SotwResponse>();
  cache.createWatch(req(n, Route), sub({ names: ['r'] }), eds.respond);
  cache.setSnapshot('n1', snap(['a'], { [Endpoint]: ['e'], [Route]: ['r'] }));
  t.equal(acks.length, 1, 'the re-created watch is parked (no loop)');
  t.equal(eds.got.length, 1, 'watches after the throwing one are answered');
  t.equal(cache.numWatches(), 1);
  cache.setSnapshot('n1', snap(['a', 'b'], { [Endpoint]: ['e'], [Route]: ['r'] }));
  t.equal(acks.length, 2);
});

t.test('any type URL is served (unknown ones are empty); an empty one throws UnknownTypeError', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  cache.setSnapshot('n1', snap(['a']));
  const custom = recorder<SotwResponse>();
  cache.createWatch(req(n, 'type.googleapis.com/example.Custom'), sub({ wildcard: true }), custom.respond);
  t.same(custom.got[0]?.resources, []);
  t.throws(() => cache.createWatch(req(n, ''), sub({ wildcard: true }), () => {}), UnknownTypeError);
  t.equal(cache.statusKeys().length, 1);
});

t.test('delta watches: removals and per-resource versions', async (t) => {
  const cache = createSnapshotCache();
  const n = node('n1');
  cache.setSnapshot('n1', snap(['a', 'b']));
  const first = recorder<DeltaResponse>();
  cache.createDeltaWatch(req(n, Cluster, '', true), sub({ wildcard: true }), first.respond);
  const r1 = first.got[0];
  t.same(names(r1?.resources ?? []), ['a', 'b']);
  const next = recorder<DeltaResponse>();
  cache.createDeltaWatch(req(n, Cluster), sub({ wildcard: true, returned: r1?.returned }), next.respond);
  t.equal(next.got.length, 0, 'nothing changed');
  cache.setSnapshot('n1', snap(['a', 'c']));
  t.same(names(next.got[0]?.resources ?? []), ['c']);
  t.same(next.got[0]?.removed, ['b']);
  t.same([...(next.got[0]?.returned.keys() ?? [])].sort(), ['a', 'c']);
});

t.test('setSnapshot of one key leaves watches of other keys alone', async (t) => {
  const cache = createSnapshotCache();
  const other = recorder<SotwResponse>();
  cache.createWatch(req(node('n2'), Cluster), sub({ wildcard: true }), other.respond);
  cache.setSnapshot('n1', snap(['a']));
  t.equal(other.got.length, 0);
  t.equal(cache.numWatches('n2'), 1);
});

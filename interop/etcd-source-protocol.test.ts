/**
 * The etcd source's protocol handling against a real etcd 3.4 (Debian
 * etcd-server), observed through a recording proxy in front of its JSON
 * gateway: a watch refused because its revision was compacted leads to one
 * relist; progress notifications move the revision a quiet watch is opened
 * again from; with auth enabled a token is obtained, sent on every request,
 * and obtained again when etcd has let it expire.
 */
import t, { type Test } from 'tap';
import { parseEtcdArg } from '../src/sources/etcd/config.js';
import { createEtcdSource } from '../src/sources/etcd/scheme.js';
import { createRegistryMesh } from '../test/support/registry-mesh.js';
import { waitFor } from '../test/support/wait-for.js';
import { createEtcdGatewayRecorder, type EtcdGatewayRecorder } from './etcd-gateway-recorder.js';
import { startEtcd, type EtcdOptions, type EtcdServer } from './registry-servers.js';

const endpoint = (addr: string) => JSON.stringify({ Op: 0, Addr: addr, Metadata: null });

async function setup(t: Test, options: EtcdOptions = {}): Promise<{ etcd: EtcdServer; recorder: EtcdGatewayRecorder }> {
  const etcd = await startEtcd(options);
  t.teardown(() => etcd.close());
  const recorder = await createEtcdGatewayRecorder(etcd.url);
  t.teardown(() => recorder.close());
  return { etcd, recorder };
}

/** The source on `arg`, ready, its mesh, and its first watch open. */
async function startSource(t: Test, recorder: EtcdGatewayRecorder, arg: string) {
  const source = createEtcdSource(parseEtcdArg(arg), { backoff: { initialMs: 50, maxMs: 500 } });
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  mesh.attach(source);
  await source.ready;
  await waitFor('the first watch', () => recorder.watches.length >= 1);
  return { source, mesh };
}

async function revisionOf(etcd: EtcdServer): Promise<number> {
  return Number(/"revision":(\d+)/.exec(await etcd.ctl('get', 'x', '-w', 'json'))?.[1]);
}

t.test('a watch refused because its revision was compacted: one relist, then a watch from the new revision', async (t) => {
  const { etcd, recorder } = await setup(t);
  await etcd.ctl('put', 'services/a/10.0.0.1:80', endpoint('10.0.0.1:80'));
  // watchTimeout leaves time for the changes and the compaction below before the quiet watch is opened again.
  const { mesh } = await startSource(t, recorder, `${recorder.url}/services?watchTimeout=8s`);
  const listed = recorder.ranges[0] as number;
  t.equal(recorder.watches[0]?.start, listed + 1, 'the watch starts after the listing');

  recorder.silenceOpenWatches();
  await etcd.ctl('del', 'services/a/10.0.0.1:80');
  await etcd.ctl('put', 'services/a/10.0.0.2:80', endpoint('10.0.0.2:80'));
  const compactedAt = await revisionOf(etcd);
  await etcd.ctl('compaction', String(compactedAt));

  await waitFor('the state after the compaction', () => mesh.endpoints('default/a|80')?.join() === '10.0.0.2:80', 30_000);
  await waitFor('a watch after the relist', () => recorder.watches.length === 3, 10_000);
  t.equal(recorder.watches[1]?.start, listed + 1, 'the quiet watch was opened again from where it was, behind the compaction');
  t.equal(recorder.ranges.length, 2, 'one relist');
  t.ok((recorder.ranges[1] as number) >= compactedAt, 'the relist is at or after the compaction');
  t.equal(recorder.watches[2]?.start, (recorder.ranges[1] as number) + 1, 'and the next watch starts after it');
});

t.test('progress notifications move the revision on: a quiet watch is opened again from there, without a relist', async (t) => {
  const { etcd, recorder } = await setup(t, { flags: ['--experimental-watch-progress-notify-interval', '300ms'] });
  await etcd.ctl('put', 'services/b/10.0.1.1:90', endpoint('10.0.1.1:90'));
  const { source, mesh } = await startSource(t, recorder, `${recorder.url}/services?watchTimeout=3s`);
  // Revisions outside the prefix: the watch gets no event for them, only progress notifications.
  for (let i = 0; i < 3; i++) await etcd.ctl('put', 'other/x', String(i));
  const elsewhere = await revisionOf(etcd);
  await new Promise((r) => setTimeout(r, 1500));
  recorder.silenceOpenWatches();
  await waitFor('the watch opened again', () => recorder.watches.length === 2, 15_000);
  t.ok((recorder.watches[1]?.start ?? 0) > elsewhere, `from after the notified revision ${elsewhere} (started at ${recorder.watches[1]?.start})`);
  t.equal(recorder.ranges.length, 1, 'no relist');
  t.same(mesh.endpoints('default/b|90'), ['10.0.1.1:90']);
  t.equal(source.status().stale, false, 'and no staleness');
});

t.test('auth: a token on every request, obtained again when etcd has let it expire', async (t) => {
  // Simple tokens expire after --auth-token-ttl seconds without use; a quiet watch is opened again
  // after watchTimeout, by then with an expired token.
  const { etcd, recorder } = await setup(t, { flags: ['--auth-token-ttl', '1'], ctlUser: 'root:pw' });
  await etcd.ctl('user', 'add', 'root', '--new-user-password', 'pw');
  await etcd.ctl('auth', 'enable');
  await etcd.ctl('put', 'services/c/10.0.2.1:70', endpoint('10.0.2.1:70'));
  const { mesh } = await startSource(t, recorder, `http://root:pw@${recorder.url.slice('http://'.length)}/services?watchTimeout=3s`);
  t.same(mesh.endpoints('default/c|70'), ['10.0.2.1:70'], 'listed with the token');
  const first = recorder.watches[0]?.authorization;
  t.ok(first, 'the watch carries the token');
  t.equal(recorder.authentications, 1, 'one authentication for the listing and the watch');

  await waitFor('a watch with a new token', () => recorder.watches.some((w) => w.authorization && w.authorization !== first), 20_000);
  t.ok(recorder.authentications > 1, 'authenticated again');
  await etcd.ctl('put', 'services/c/10.0.2.2:70', endpoint('10.0.2.2:70'));
  await waitFor('changes with the new token', () => mesh.endpoints('default/c|70')?.length === 2, 20_000);
  t.ok(recorder.watches.every((w) => w.authorization), 'no watch without a token');
});

import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { connect, startServer } from './harness.js';

t.test('smoke', async (t) => {
  const { address, watcher } = await startServer(t);
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }, { name: 'b' }]);
  const c = connect(t, address);
  c.subscribe(TypeUrl.Cluster, []);
  const r1 = await c.next();
  t.equal(r1.nonce, '1');
  t.equal(r1.versionInfo, 'v1');
  t.same(r1.resources.map((r) => r.typeUrl), [TypeUrl.Cluster, TypeUrl.Cluster]);
  c.ack(r1);
  watcher.set(TypeUrl.Cluster, 'v2', [{ name: 'a' }]);
  const r2 = await c.next();
  t.equal(r2.nonce, '2');
  t.equal(r2.versionInfo, 'v2');
});

import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { compareAdsOrder } from '../../cache/ads-order.js';
import { createOrderedQueue } from '../../server/ordered-queue.js';

t.test('items come out in ADS order, one per type, newest wins', async (t) => {
  const q = createOrderedQueue<string>();
  q.put('type.googleapis.com/zz.Custom', 'custom', 1);
  q.put(TypeUrl.Secret, 'sds', 2);
  q.put(TypeUrl.Route, 'rds', 3);
  q.put(TypeUrl.Listener, 'lds', 4);
  q.put(TypeUrl.Endpoint, 'eds-old', 5);
  q.put(TypeUrl.Endpoint, 'eds', 6);
  q.put(TypeUrl.Cluster, 'cds', 7);
  t.equal(q.length, 6);
  t.equal(q.bytes, 1 + 2 + 3 + 4 + 6 + 7, 'the replaced item no longer counts');
  q.drop(TypeUrl.Secret);
  const out: string[] = [];
  for (let x = q.take(); x; x = q.take()) out.push(x.item);
  t.same(out, ['cds', 'eds', 'lds', 'rds', 'custom']);
  t.equal(q.bytes, 0);
  t.equal(q.take(), undefined);
});

t.test('unlisted types sort after listed ones, by name', async (t) => {
  t.ok(compareAdsOrder(TypeUrl.ExtensionConfig, 'type.googleapis.com/a.B') < 0);
  t.ok(compareAdsOrder('type.googleapis.com/a.B', 'type.googleapis.com/b.A') < 0);
  t.equal(compareAdsOrder(TypeUrl.Cluster, TypeUrl.Cluster), 0);
});

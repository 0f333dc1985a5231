import t from 'tap';
import { debugPage } from '../../src/observability/debug-page.js';

const items = Array.from({ length: 250 }, (_, i) => i);
const page = (query: string) => debugPage(new URL(`http://admin/debug/xds${query}`), items);

t.test('100 per page by default, with the total and the URL of the next page', async (t) => {
  const first = page('');
  t.match(first, { total: 250, offset: 0, limit: 100, next: '/debug/xds?offset=100&limit=100' });
  t.same(first.items, items.slice(0, 100));
  const last = page('?offset=200');
  t.same(last.items, items.slice(200));
  t.equal(last.next, null);
  t.same(page('?offset=900').items, [], 'past the end');
});

t.test('limit is between 1 and 1,000; values that are not whole numbers fall back to the defaults', async (t) => {
  t.equal(page('?limit=5000').limit, 1000);
  t.equal(page('?limit=0').limit, 1);
  t.equal(page('?limit=7&offset=3').items.length, 7);
  t.equal(page('?limit=7&offset=3').next, '/debug/xds?offset=10&limit=7');
  for (const bad of ['?limit=-1', '?limit=1e3', '?limit=abc', '?offset=-5', '?offset=1.5']) {
    const p = page(bad);
    t.ok(p.limit === 100 && p.offset === 0, bad);
  }
});

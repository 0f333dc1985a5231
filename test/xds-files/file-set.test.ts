import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { encodeResource } from '../../server/codec/resource-codec.js';
import { createXdsFileSet } from '../../src/xds-files/file-set.js';
import { cluster, endpoints, listener, listenerWithoutStatPrefix, route } from './fixtures/manifests.js';

const json = (v: unknown) => JSON.stringify(v, null, 2);
const problems = (set: ReturnType<typeof createXdsFileSet>) => set.issues().filter((i) => i.kind !== 'reference');

t.test('merges files into one snapshot with the four core types always present', async (t) => {
  const set = createXdsFileSet();
  t.ok(set.update('a.json', json([listener('l', 'r'), route('r', 'c')])));
  t.ok(set.update('b.json', json([cluster('c'), endpoints('c', 1)])));
  const snap = set.snapshot();
  for (const type of [TypeUrl.Listener, TypeUrl.Route, TypeUrl.Cluster, TypeUrl.Endpoint]) t.equal(snap.resources(type).size, 1, type);
  t.same(set.issues(), []);
  t.same(createXdsFileSet().snapshot().typeUrls().length, 4);
});

t.test('an invalid edit keeps the last good version and reports the problem', async (t) => {
  const set = createXdsFileSet();
  set.update('c.json', json(cluster('c')));
  const before = set.snapshot();
  t.notOk(set.update('c.json', json({ ...cluster('c'), lb_polcy: 'RANDOM' })), 'served content did not change');
  t.equal(set.snapshot(), before, 'same snapshot object');
  t.match(problems(set), [{ kind: 'invalid', file: 'c.json', field: 'lb_polcy', reason: 'unknown field', line: Number }]);
  t.ok(set.update('c.json', json({ ...cluster('c'), lb_policy: 'RANDOM' })));
  t.same(problems(set), []);
  t.not(set.snapshot().version(TypeUrl.Cluster), before.version(TypeUrl.Cluster));
});

t.test('a file invalid from the start serves nothing; deleting a file removes its resources', async (t) => {
  const set = createXdsFileSet();
  t.notOk(set.update('bad.yaml', 'name: [unclosed'));
  t.equal(set.snapshot().resources(TypeUrl.Cluster).size, 0);
  t.equal(set.issues().length, 1);
  set.update('good.json', json(cluster('c')));
  t.ok(set.update('good.json', undefined));
  t.notOk(set.update('bad.yaml', undefined), 'deleting a file that served nothing changes nothing');
  t.same(set.files(), []);
  t.same(set.issues(), []);
});

t.test('name collisions across files are reported; the first file (sorted) is served', async (t) => {
  const set = createXdsFileSet();
  set.update('z.json', json({ ...cluster('dup'), lb_policy: 'RANDOM' }));
  set.update('a.json', json(cluster('dup')));
  t.match(problems(set), [{ kind: 'collision', file: 'z.json', field: 'name', reason: /Cluster "dup" is also defined in a.json/ }]);
  const served = set.snapshot().resources(TypeUrl.Cluster).get('dup');
  t.equal(served?.version, encodeResource(cluster('dup')).version, 'the a.json version is served');
  t.not(served?.version, encodeResource({ ...cluster('dup'), lb_policy: 'RANDOM' }).version);
});

t.test('dangling references are reported against the referencing file', async (t) => {
  const set = createXdsFileSet();
  set.update('l.json', json(listener('l', 'missing-route')));
  t.match(set.issues(), [{ kind: 'reference', file: 'l.json', reason: /Listener "l" references RouteConfiguration "missing-route"/ }]);
  t.equal(set.snapshot().resources(TypeUrl.Listener).size, 1, 'still served');
});

t.test('unchanged text is not reparsed and reports no change', async (t) => {
  const set = createXdsFileSet();
  const text = json(cluster('c'));
  t.ok(set.update('c.json', text));
  t.notOk(set.update('c.json', text));
  t.notOk(set.update('c.json', json(JSON.parse(text))), 'same content, same versions');
});

t.test('resources that break a protoc-gen-validate rule are served with a warning; strictValidate refuses them', async (t) => {
  const lenient = createXdsFileSet();
  t.ok(lenient.update('lds.json', json(listenerWithoutStatPrefix('l', 'r'))));
  lenient.update('rds.json', json(route('r', 'c')));
  t.same([...lenient.snapshot().resources(TypeUrl.Listener).keys()], ['l'], 'served');
  t.match(lenient.issues(), [{ kind: 'warning', file: 'lds.json', field: 'api_listener.api_listener.stat_prefix', rule: 'string.min_len = 1' }]);
  // An invalid edit keeps serving the last good content, and its warnings.
  t.notOk(lenient.update('lds.json', json({ ...listenerWithoutStatPrefix('l', 'r'), typo: 1 })));
  t.match(lenient.issues(), [{ kind: 'invalid', file: 'lds.json', field: 'typo' }, { kind: 'warning', file: 'lds.json', rule: 'string.min_len = 1' }]);
  t.ok(lenient.update('lds.json', json(listener('l', 'r'))));
  t.same(lenient.issues(), [], 'fixed: no warning left');

  const strict = createXdsFileSet({ strictValidate: true });
  t.notOk(strict.update('lds.json', json(listenerWithoutStatPrefix('l', 'r'))));
  t.equal(strict.snapshot().resources(TypeUrl.Listener).size, 0, 'refused');
  t.match(strict.issues(), [{ kind: 'invalid', field: 'api_listener.api_listener.stat_prefix', rule: 'string.min_len = 1' }]);
});

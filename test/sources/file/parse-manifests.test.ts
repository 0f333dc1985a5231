import t from 'tap';
import { parseManifests } from '../../../src/sources/file/parse-manifests.js';
import { MAX_NESTING_DEPTH } from '../../../src/shared/file-limits.js';
import { ALIAS_BOMB, DEEP_JSON } from './fixtures/hostile-manifests.js';

const svc = (name: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: demo
`;


const names = (r: ReturnType<typeof parseManifests>) => r.objects.map((o) => o.object.metadata.name);

t.test('an alias bomb is a problem of its document; the documents around it load', async (t) => {
  const r = parseManifests(`${svc('before')}---\n${ALIAS_BOMB}---\n${svc('after')}`, 'm.yaml');
  t.same(names(r), ['before', 'after']);
  t.equal(r.problems.length, 1);
  t.match(r.problems[0], { origin: { file: 'm.yaml', line: 7, document: 1 }, reason: /more than 100 alias expansions \(a possible alias bomb\); document refused/ });
});

t.test('deep nesting is refused per document, in JSON and in YAML, without exhausting the stack', async (t) => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const r = parseManifests(DEEP_JSON, 'deep.json');
  t.same(r.objects, []);
  t.match(r.problems, [{ origin: { file: 'deep.json', line: 1 }, reason: `nested more than ${MAX_NESTING_DEPTH} levels deep; document refused` }]);

  for (const n of [150, 5000]) {
    const y = parseManifests(`${svc('ok')}---\napiVersion: v1\nkind: Service\nmetadata: {name: deep, namespace: demo}\nspec: {ports: ${deep(n)}}\n`, 'deep.yaml');
    t.same(names(y), ['ok'], `${n} deep: the other document loads`);
    t.match(y.problems, [{ reason: /nested more than 100 levels deep; document refused/ }], `${n} deep`);
  }
  const fine = parseManifests(`${svc('ok')}spec: {ports: ${deep(MAX_NESTING_DEPTH - 3)}}\n`, 'fine.yaml');
  t.same([names(fine), fine.problems], [['ok'], []], 'nesting up to the limit is accepted');
});

t.test('more objects than allowed refuses the file, List items included', async (t) => {
  const docs = Array.from({ length: 4 }, (_, i) => svc(`s${i}`)).join('---\n');
  t.equal(parseManifests(docs, 'a.yaml', { limits: { maxObjectsPerFile: 4 } }).objects.length, 4);
  const over = parseManifests(docs, 'a.yaml', { limits: { maxObjectsPerFile: 3 } });
  t.same(over.objects, []);
  t.same(over.problems.map((p) => p.reason), ['more than 3 objects in one file (--file-max-objects); file refused']);
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: 5 }, (_, i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `l${i}` } })) });
  t.match(parseManifests(list, 'l.json', { limits: { maxObjectsPerFile: 4 } }).problems, [{ reason: 'more than 4 objects in one file (--file-max-objects); file refused' }]);
});

t.test('List items: field paths have no dangling dot; lines are the item\'s, in JSON too', async (t) => {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }, 5, { kind: 'Service' }] }, null, 2);
  const r = parseManifests(list, 'l.json');
  t.same(names(r), ['a']);
  t.same(
    r.problems.map((p) => [p.field, p.reason, p.origin?.fieldLine?.(p.field ?? '')]),
    [
      ['items[1]', 'document is not an object (number)', 12],
      ['items[2].apiVersion', 'Required value', 13],
      ['items[2].metadata', 'Required value', 13],
    ],
  );
  t.equal(r.objects[0]?.origin.fieldLine?.('metadata.name'), 9, 'a field of an item is found at its own line');
});

t.test('fieldLine points at the key of a member, the item of a list, or the nearest existing ancestor', async (t) => {
  const text = `${svc('a')}spec:\n  ports:\n    - name: http\n      port: eighty\n`;
  const o = parseManifests(text, 'f.yaml').objects[0];
  const at = (f: string) => o?.origin.fieldLine?.(f);
  t.same([at(''), at('metadata'), at('spec.ports[0].port'), at('spec.ports[0]'), at('spec.ports[3].port'), at('spec.missing')], [1, 3, 9, 8, 7, 6]);
});

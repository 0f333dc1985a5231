import t from 'tap';
import type { ModelChange } from '../../../src/model/view.js';
import { mkdtemp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSource } from '../../../src/sources/file/file-source.js';
import { createModelStore, type ModelStore } from '../../../src/model/store.js';
import { formatModelError } from '../../../src/model/errors.js';

const nsDoc = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    flomesh.io/monitored-by: fsm
`;
const svcDoc = (name: string, port = 80) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: demo
spec:
  ports:
    - port: ${port}
`;

async function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-file-source-'));
  const store = createModelStore();
  const source = createFileSource({ dir, debounceMs: 50 });
  t.teardown(async () => {
    await source.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, store, source };
}

/** Every batch's model changes, as the controller's pipeline sees them. */
const applied = new WeakMap<ModelStore, (readonly ModelChange[])[]>();

function start(store: ModelStore, source: ReturnType<typeof createFileSource>) {
  const log: (readonly ModelChange[])[] = [];
  applied.set(store, log);
  source.start({ onEvents: (e) => void log.push(store.apply(e).changes), onProblems: (scope, p) => store.setSourceProblems(scope, p) });
  return source.ready;
}

/** Polls until `cond` holds; fails after `ms` (the 1 s latency bound). */
async function within(ms: number, cond: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

t.test('initial load: recursive, multi-document, yaml/yml/json, ignores other files', async (t) => {
  const { dir, store, source } = await setup(t);
  await mkdir(join(dir, 'sub', 'deeper'), { recursive: true });
  await writeFile(join(dir, 'ns.yaml'), nsDoc('demo'));
  await writeFile(join(dir, 'sub', 'svcs.yml'), `${svcDoc('a')}---\n${svcDoc('b')}`);
  await writeFile(join(dir, 'sub', 'deeper', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c', namespace: 'demo' }, spec: {} }));
  await writeFile(join(dir, 'README.md'), svcDoc('ignored'));
  await start(store, source);
  t.same(store.list('Service', 'demo').map((s) => s.metadata.name), ['a', 'b', 'c']);
  t.same(store.errors(), []);
});

t.test('add, edit, delete, rename and atomic replace reach the model within 1 s', async (t) => {
  const { dir, store, source } = await setup(t);
  await writeFile(join(dir, 'ns.yaml'), nsDoc('demo'));
  await start(store, source);
  const port = () => (store.get('Service', 'demo', 'web')?.spec as { ports: { port: number }[] } | undefined)?.ports[0]?.port;

  await writeFile(join(dir, 'web.yaml'), svcDoc('web', 80));
  t.ok(await within(1000, () => port() === 80), 'add');

  await writeFile(join(dir, 'web.yaml'), svcDoc('web', 81));
  t.ok(await within(1000, () => port() === 81), 'edit');

  await mkdir(join(dir, 'moved'));
  const log = applied.get(store) ?? [];
  const from = log.length;
  await rename(join(dir, 'web.yaml'), join(dir, 'moved', 'web.yml'));
  await new Promise((r) => setTimeout(r, 400));
  t.equal(port(), 81, 'rename keeps the object');
  const changes = log.slice(from).flat().map((x) => `${x.old ? 'old' : ''}${x.new ? 'new' : ''}:${x.key}`);
  t.notOk(changes.includes('old:Service/demo/web'), 'rename does not delete the object');

  await writeFile(join(dir, 'moved', '.web.tmp'), svcDoc('web', 82));
  await rename(join(dir, 'moved', '.web.tmp'), join(dir, 'moved', 'web.yml'));
  t.ok(await within(1000, () => port() === 82), 'atomic replace');

  await rm(join(dir, 'moved', 'web.yml'));
  t.ok(await within(1000, () => store.get('Service', 'demo', 'web') === undefined), 'delete removes its objects');
});

t.test('a bad document is reported with file:line; the others load; the last good version stays', async (t) => {
  const { dir, store, source } = await setup(t);
  const file = join(dir, 'mesh.yaml');
  await writeFile(file, `${nsDoc('demo')}---\n${svcDoc('a')}---\n${svcDoc('b')}`);
  await start(store, source);
  t.equal(store.list('Service', 'demo').length, 2);

  // Document 2 (starting at line 13) gets a port of the wrong type; document 3 changes.
  await writeFile(file, `${nsDoc('demo')}---\n${svcDoc('a').replace('port: 80', 'port: "eighty"')}---\n${svcDoc('b', 90)}`);
  t.ok(await within(1000, () => (store.get('Service', 'demo', 'b')?.spec as { ports: { port: number }[] }).ports[0]?.port === 90));
  const lines = store.errors().map(formatModelError);
  t.same(lines, [`${file}:8: Service demo/a: spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string"`]);
  t.equal((store.get('Service', 'demo', 'a')?.spec as { ports: { port: number }[] }).ports[0]?.port, 80, 'last good version stays');

  // A YAML syntax error in one document: the other documents still load.
  await writeFile(file, `${nsDoc('demo')}---\nkind: [unclosed\n---\n${svcDoc('b', 91)}`);
  t.ok(await within(1000, () => (store.get('Service', 'demo', 'b')?.spec as { ports: { port: number }[] }).ports[0]?.port === 91));
  const yamlErrors = store.errors().map(formatModelError);
  t.ok(yamlErrors.some((l) => l.startsWith(`${file}:9: `) && l.includes('YAML')), yamlErrors.join('\n'));
  t.ok(store.get('Service', 'demo', 'a'), 'an object of an unparseable document is not deleted');

  // A document without metadata.name.
  await writeFile(file, `${nsDoc('demo')}---\napiVersion: v1\nkind: Service\nmetadata:\n  namespace: demo\n`);
  t.ok(await within(1000, () => store.errors().some((e) => e.field === 'metadata.name')));
  t.ok(store.errors().map(formatModelError).includes(`${file}:8: Service demo/<no name>: metadata.name: Required value`));

  await writeFile(file, `${nsDoc('demo')}---\n${svcDoc('a')}`);
  t.ok(await within(1000, () => store.errors().length === 0), 'fixing the file clears its problems');
});

t.test('a missing directory rejects ready', async (t) => {
  const source = createFileSource({ dir: join(tmpdir(), 'fsm-does-not-exist-' + process.pid) });
  source.start({ onEvents: () => undefined });
  await t.rejects(source.ready, /cannot read/);
  await source.close();
});

t.test('JSON files: a List of objects, and a syntax error reported with its line', async (t) => {
  const { dir, store, source } = await setup(t);
  const file = join(dir, 'list.json');
  const list = { apiVersion: 'v1', kind: 'List', items: [JSON.parse(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo', labels: { 'flomesh.io/monitored-by': 'fsm' } } })), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'j', namespace: 'demo' }, spec: {} }] };
  await writeFile(file, JSON.stringify(list, null, 2));
  await start(store, source);
  t.ok(store.get('Service', 'demo', 'j'));
  await writeFile(join(dir, 'broken.json'), '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "b"\n');
  t.ok(await within(1000, () => store.errors().length > 0));
  t.match(formatModelError(store.errors()[0]!), new RegExp(`^${join(dir, 'broken.json')}:[45]: YAML: `));
  t.ok(store.get('Service', 'demo', 'j'), 'the other file is unaffected');
});

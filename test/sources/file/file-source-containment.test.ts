import t, { type Test } from 'tap';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSource } from '../../../src/sources/file/file-source.js';
import { createModelStore } from '../../../src/model/store.js';
import { formatModelError } from '../../../src/model/errors.js';
import { createJsonLogger } from '../../../src/shared/logger.js';
import type { FileLimits } from '../../../src/shared/file-limits.js';
import { waitFor } from '../../support/wait-for.js';
import { ALIAS_BOMB, DEEP_JSON, largeManifest, manyServices } from './fixtures/hostile-manifests.js';

// Whatever goes wrong with one manifest file stays with that file: it is
// reported by name (log and problems), the objects it gave before stay, and
// every other file and every later scan carry on.

const NS = `apiVersion: v1
kind: Namespace
metadata:
  name: demo
  labels:
    flomesh.io/monitored-by: fsm
`;
const svc = (name: string, port = 80) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: demo
spec:
  ports:
    - port: ${port}
`;

async function setup(t: Test, limits: Partial<FileLimits> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-file-contain-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const logs: Record<string, unknown>[] = [];
  const store = createModelStore();
  const source = createFileSource({
    dir,
    debounceMs: 20,
    rescanIntervalMs: 100,
    limits,
    logger: createJsonLogger({ level: 'debug', write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) }),
  });
  t.teardown(() => source.close());
  const start = () => {
    source.start({ onEvents: (e) => void store.apply(e), onProblems: (scope, p) => store.setSourceProblems(scope, p) });
    return source.ready;
  };
  const port = (name: string) => (store.get('Service', 'demo', name)?.spec as { ports: { port: number }[] } | undefined)?.ports[0]?.port;
  const errors = () => store.errors().map(formatModelError);
  return { dir, store, source, logs, start, port, errors };
}

t.test('an alias bomb, deep nesting, a large file and too many objects are each refused by name; the rest loads', async (t) => {
  const s = await setup(t, { maxObjectsPerFile: 50 });
  await writeFile(join(s.dir, '00-ns.yaml'), NS);
  await writeFile(join(s.dir, '10-good.yaml'), svc('good'));
  await writeFile(join(s.dir, 'bomb.yaml'), ALIAS_BOMB);
  await writeFile(join(s.dir, 'deep.json'), DEEP_JSON);
  const large = largeManifest(5 * 1024 * 1024); // over the 4 MiB default
  await writeFile(join(s.dir, 'large.yaml'), large);
  await writeFile(join(s.dir, 'many.yaml'), manyServices(60, 'demo'));
  await s.start();

  t.equal(s.port('good'), 80, 'the good file loaded');
  t.same(s.store.list('Service', 'demo').map((o) => o.metadata.name), ['good'], 'nothing of the refused files');
  t.same(s.errors(), [
    `${join(s.dir, 'bomb.yaml')}:1: YAML: more than 100 alias expansions (a possible alias bomb); document refused`,
    `${join(s.dir, 'deep.json')}:1: nested more than 100 levels deep; document refused`,
    `${join(s.dir, 'large.yaml')}: file of ${Buffer.byteLength(large)} bytes is larger than the limit of 4194304 bytes (--file-max-bytes); not read`,
    `${join(s.dir, 'many.yaml')}: more than 50 objects in one file (--file-max-objects); file refused`,
  ]);
  for (const file of ['bomb.yaml', 'deep.json', 'large.yaml', 'many.yaml']) {
    t.ok(s.logs.some((l) => l.msg === 'manifest problem' && l.file === join(s.dir, file)), `the log names ${file}`);
  }

  // Later scans go on: an edit of the good file arrives, and unchanged problems are not raised again.
  await writeFile(join(s.dir, '10-good.yaml'), svc('good', 81));
  await waitFor('the edit', () => s.port('good') === 81);
  await new Promise((r) => setTimeout(r, 400)); // several periodic rescans
  t.equal(s.logs.filter((l) => l.msg === 'manifest problem').length, 4, 'each problem is logged once, not on every rescan');

  // A good file turned hostile keeps its last good objects.
  await writeFile(join(s.dir, '10-good.yaml'), ALIAS_BOMB);
  await waitFor('the problem of 10-good.yaml', () => s.errors().some((e) => e.includes('10-good.yaml')));
  t.equal(s.port('good'), 81, 'the last good version stays');

  for (const f of ['bomb.yaml', 'deep.json', 'large.yaml', 'many.yaml']) await rm(join(s.dir, f));
  await writeFile(join(s.dir, '10-good.yaml'), svc('good', 82));
  await waitFor('problems cleared', () => s.errors().length === 0 && s.port('good') === 82);
});

t.test('links out of the directory, special files and broken links are problems naming them; a ConfigMap layout loads', async (t) => {
  const s = await setup(t);
  const outside = await mkdtemp(join(tmpdir(), 'fsm-file-outside-'));
  t.teardown(() => rm(outside, { recursive: true, force: true }));
  await writeFile(join(outside, 'secret.yaml'), svc('outside'));
  await mkdir(join(outside, 'more'));
  await writeFile(join(outside, 'more', 'x.yaml'), svc('outside-dir'));

  await writeFile(join(s.dir, '00-ns.yaml'), NS);
  // A ConfigMap volume: files are links into a hidden, atomically swapped directory.
  await mkdir(join(s.dir, '..2030_01_01'));
  await writeFile(join(s.dir, '..2030_01_01', 'cm.yaml'), svc('from-configmap'));
  await symlink('..2030_01_01', join(s.dir, '..data'));
  await symlink(join('..data', 'cm.yaml'), join(s.dir, 'cm.yaml'));
  await symlink(join(outside, 'secret.yaml'), join(s.dir, 'escape.yaml'));
  await symlink(join(outside, 'more'), join(s.dir, 'escape-dir'));
  await symlink('loop.yaml', join(s.dir, 'loop.yaml'));
  await symlink(join(s.dir, 'missing.yaml'), join(s.dir, 'dangling.yaml'));
  const server = createServer();
  await new Promise<void>((r) => server.listen(join(s.dir, 'socket.yaml'), r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));

  await s.start();
  t.same(s.store.list('Service', 'demo').map((o) => o.metadata.name), ['from-configmap'], 'only the ConfigMap file loads');
  t.same(s.errors(), [
    `${join(s.dir, 'dangling.yaml')}: symbolic link to nothing (its target does not exist)`,
    `${join(s.dir, 'escape-dir')}: symbolic link leads outside ${s.dir} (to ${join(outside, 'more')}); not followed`,
    `${join(s.dir, 'escape.yaml')}: symbolic link leads outside ${s.dir} (to ${join(outside, 'secret.yaml')}); not followed`,
    `${join(s.dir, 'loop.yaml')}: cannot resolve symbolic link: ELOOP: too many symbolic links encountered, realpath '${join(s.dir, 'loop.yaml')}'`,
    `${join(s.dir, 'socket.yaml')}: not a regular file (a FIFO, socket or device); not read`,
  ]);
});

t.test('the same object in two files: the last in path order wins, with a warning naming both', async (t) => {
  const s = await setup(t);
  await writeFile(join(s.dir, '00-ns.yaml'), NS);
  await writeFile(join(s.dir, 'a.yaml'), svc('web', 80));
  await writeFile(join(s.dir, 'b.yaml'), `${svc('other')}---\n${svc('web', 90)}`);
  await s.start();
  t.equal(s.port('web'), 90, 'b.yaml (later in path order) wins, as with kubectl apply -f');
  t.same(s.errors(), [
    `${join(s.dir, 'a.yaml')}:1: warning: Service demo/web: also defined at ${join(s.dir, 'b.yaml')}:10, which is used (the last definition in path order wins, as with kubectl apply -f); this definition is ignored`,
  ]);
  t.ok(s.logs.some((l) => l.msg === 'manifest warning' && l.file === join(s.dir, 'a.yaml')), 'and the log');

  // Twice in one file: the later document wins.
  await writeFile(join(s.dir, 'a.yaml'), `${svc('twice', 1)}---\n${svc('twice', 2)}`);
  await waitFor('the in-file duplicate', () => s.port('twice') === 2);
  t.same(s.errors(), [
    `${join(s.dir, 'a.yaml')}:1: warning: Service demo/twice: also defined at ${join(s.dir, 'a.yaml')}:10, which is used (the last definition in path order wins, as with kubectl apply -f); this definition is ignored`,
  ]);
  await rm(join(s.dir, 'b.yaml'));
  await writeFile(join(s.dir, 'a.yaml'), svc('web', 70));
  await waitFor('a.yaml alone', () => s.port('web') === 70 && s.errors().length === 0);
});

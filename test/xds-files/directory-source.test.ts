import { mkdtemp, mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Snapshot } from '../../cache/snapshot.js';
import { TypeUrl } from '../../cache/types.js';
import { createXdsDirectorySource } from '../../src/xds-files/directory-source.js';
import { createJsonLogger } from '../../src/shared/logger.js';
import { cluster, endpoints } from './fixtures/manifests.js';
import { ALIAS_BOMB } from '../sources/file/fixtures/hostile-manifests.js';

/** Polls `check` until it holds or `ms` passes; returns whether it held. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

t.test('loads, then follows add, edit, invalid edit, rename, atomic replace and delete', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'xds-files-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.json'), JSON.stringify(cluster('a')));
  await writeFile(join(dir, '.hidden.json'), JSON.stringify(cluster('hidden')));
  const snapshots: Snapshot[] = [];
  const source = createXdsDirectorySource({ dir, onSnapshot: (s) => snapshots.push(s) });
  t.teardown(() => source.close());
  await source.start();
  const clusters = () => [...source.snapshot().resources(TypeUrl.Cluster).keys()].sort();
  t.same(clusters(), ['a'], 'initial load, hidden files ignored');

  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'b.yaml'), `"@type": ${TypeUrl.Cluster}\nname: b\n`);
  t.ok(await eventually(() => clusters().join() === 'a,b', 1000), 'added file in a subdirectory seen within 1 s');

  const version = () => source.snapshot().resources(TypeUrl.Cluster).get('a')?.version;
  const v1 = version();
  await writeFile(join(dir, 'a.json'), JSON.stringify({ ...cluster('a'), lb_policy: 'RANDOM' }));
  t.ok(await eventually(() => version() !== v1, 1000), 'edit seen within 1 s');

  const v2 = version();
  await writeFile(join(dir, 'a.json'), '{"@type": "' + TypeUrl.Cluster + '",\n "name": "a",\n "typo": 1}');
  const invalid = () => source.issues().filter((i) => i.kind === 'invalid');
  t.ok(await eventually(() => invalid().length === 1, 1000), 'invalid edit reported within 1 s');
  t.match(invalid()[0], { kind: 'invalid', file: 'a.json', document: 0, line: 3, field: 'typo', reason: 'unknown field' });
  t.equal(version(), v2, 'last good version still served');

  await rename(join(dir, 'sub', 'b.yaml'), join(dir, 'c.yml'));
  await new Promise((r) => setTimeout(r, 300));
  t.same(clusters(), ['a', 'b'], 'renamed file still served (its deletion below proves it is read from the new name)');

  const tmp = join(dir, '.a.json.tmp');
  await writeFile(tmp, JSON.stringify({ ...cluster('a'), lb_policy: 'MAGLEV' }));
  await rename(tmp, join(dir, 'a.json'));
  t.ok(await eventually(() => version() !== v2 && invalid().length === 0, 1000), 'atomic replace seen within 1 s, issue cleared');

  await unlink(join(dir, 'c.yml'));
  t.ok(await eventually(() => clusters().join() === 'a', 1000), 'delete seen within 1 s');
  t.ok(snapshots.length >= 4, `onSnapshot called per change (${snapshots.length})`);
});

t.test('polling alone picks up changes when events are missed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'xds-files-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const source = createXdsDirectorySource({ dir, pollIntervalMs: 100, debounceMs: 60_000 });
  t.teardown(() => source.close());
  await source.start();
  t.equal(source.snapshot().resources(TypeUrl.Endpoint).size, 0);
  await writeFile(join(dir, 'e.json'), JSON.stringify(endpoints('e', 9)));
  t.ok(await eventually(() => source.snapshot().resources(TypeUrl.Endpoint).has('e'), 1000), 'seen by the periodic rescan');
});

t.test('a missing directory fails the scan without throwing and serves nothing', async (t) => {
  const source = createXdsDirectorySource({ dir: join(tmpdir(), `no-such-dir-${process.pid}-${Date.now()}`) });
  t.teardown(() => source.close());
  await source.start();
  t.equal(source.snapshot().resources(TypeUrl.Cluster).size, 0);
});

t.test('a hostile, oversized, unreadable or special file is an issue of its own; the rest is served and scans go on', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'xds-files-hostile-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.json'), JSON.stringify(cluster('a')));
  await writeFile(join(dir, 'bomb.yaml'), ALIAS_BOMB);
  const big = JSON.stringify(Array.from({ length: 10 }, (_, i) => cluster(`big${i}`)));
  await writeFile(join(dir, 'big.json'), big);
  await symlink('loop.json', join(dir, 'loop.json'));
  const socket = createServer();
  await new Promise<void>((r) => socket.listen(join(dir, 'socket.json'), r));
  t.teardown(() => new Promise<void>((r) => socket.close(() => r())));
  const logged: Record<string, unknown>[] = [];
  const logger = createJsonLogger({ level: 'debug', write: (l) => logged.push(JSON.parse(l) as Record<string, unknown>) });
  const source = createXdsDirectorySource({ dir, logger, pollIntervalMs: 100, limits: { maxFileBytes: 600 } });
  t.teardown(() => source.close());
  await source.start();
  const clusters = () => [...source.snapshot().resources(TypeUrl.Cluster).keys()].sort();
  t.same(clusters(), ['a'], 'the good file is served');
  // (EDS clusters without endpoints add "reference" issues; these are about the files.)
  const invalid = () => source.issues().filter((i) => i.kind === 'invalid');
  const issues = () => invalid().map((i) => `${i.file}: ${i.reason}`);
  t.same(issues(), [
    `big.json: file of ${big.length} bytes is larger than the limit of 600 bytes (--file-max-bytes); not read`,
    'bomb.yaml: YAML: more than 100 alias expansions (a possible alias bomb); document refused',
    `loop.json: cannot read: ELOOP: too many symbolic links encountered, stat '${join(dir, 'loop.json')}'`,
    'socket.json: not a regular file (a FIFO, socket or device); not read',
  ]);
  for (const file of ['big.json', 'bomb.yaml', 'loop.json', 'socket.json']) t.ok(logged.some((l) => l.msg === 'xds file issue' && l.file === file), `the log names ${file}`);

  // The good file turned hostile keeps its last good resources; other changes still arrive.
  const version = source.snapshot().resources(TypeUrl.Cluster).get('a')?.version;
  await writeFile(join(dir, 'a.json'), '['.repeat(50)); // a syntax error now
  await writeFile(join(dir, 'b.json'), JSON.stringify(cluster('b')));
  t.ok(await eventually(() => clusters().join() === 'a,b', 2000), 'a later file arrives');
  t.equal(source.snapshot().resources(TypeUrl.Cluster).get('a')?.version, version, 'a keeps its last good version');
  for (const f of ['bomb.yaml', 'big.json', 'loop.json']) await rm(join(dir, f));
  t.ok(await eventually(() => invalid().map((i) => i.file).join() === 'a.json,socket.json', 2000), 'removed files take their issues along');
});

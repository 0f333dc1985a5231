import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createController, type Controller } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { createJsonLogger } from '../../src/shared/logger.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';
import { waitFor } from '../support/wait-for.js';
import { ALIAS_BOMB, DEEP_JSON, largeManifest } from '../sources/file/fixtures/hostile-manifests.js';

// One hostile manifest must neither empty nor freeze the mesh: a controller
// started with such files serves the rest, and a running one keeps serving
// its last good config while later changes still arrive.

const BOOKBUYER = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';
const HOSTILE = { 'bomb.yaml': ALIAS_BOMB, 'deep.json': DEEP_JSON, 'large.yaml': largeManifest(5 * 1024 * 1024) };

async function start(dir: string, stateDir: string, logs: string[]) {
  const o = parseControllerOptions(
    ['--source', `file:${dir}`, '--state-dir', stateDir, '--debug', '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o, { logger: createJsonLogger({ level: 'info', write: (l) => logs.push(l) }) });
  const ports = await controller.start();
  await waitFor('controller ready', () => controller.isReady());
  return { controller, admin: `http://127.0.0.1:${ports.admin}` };
}

type DebugErrors = { model: { origin?: { file?: string }; reason: string }[] };
const errorFiles = async (admin: string) => ((await (await fetch(`${admin}/debug/errors`)).json()) as DebugErrors).model.map((e) => `${e.origin?.file ?? ''}: ${e.reason}`);
const weights = (c: Controller) => (c.store.get('TrafficSplit', 'bookstore', 'bookstore-split')?.spec as { backends: { weight: number }[] }).backends.map((b) => b.weight);

t.test('started with hostile files present: ready with every proxy, each file reported by name', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-hostile-start');
  for (const [name, text] of Object.entries(HOSTILE)) await writeFile(join(dir, name), text);
  const logs: string[] = [];
  const { controller, admin } = await start(dir, stateDir, logs);
  t.teardown(() => controller.close());

  t.equal(controller.store.proxies().length, 5, 'ready with the five bookstore proxies, not 0');
  t.ok(controller.configs().get(BOOKBUYER), 'bookbuyer has a config');
  const ready = (await (await fetch(`${admin}/health/ready`)).json()) as { proxies: number };
  t.equal(ready.proxies, 5);
  const errors = await errorFiles(admin);
  for (const name of Object.keys(HOSTILE)) {
    t.ok(errors.some((e) => e.startsWith(`${join(dir, name)}: `)), `/debug/errors names ${name}`);
    t.ok(logs.some((l) => l.includes('"manifest problem"') && l.includes(JSON.stringify(join(dir, name)))), `the log names ${name}`);
  }
});

t.test('while running: a hostile edit keeps the last good config; later changes and removals still arrive', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-hostile-run');
  const logs: string[] = [];
  const { controller, admin } = await start(dir, stateDir, logs);
  t.teardown(() => controller.close());
  const before = controller.configs().get(BOOKBUYER)?.version;
  t.same(weights(controller), [50, 50]);

  const split = join(dir, '50-traffic-split.yaml');
  const good = await readFile(split, 'utf8');
  await writeFile(split, ALIAS_BOMB);
  for (const [name, text] of Object.entries(HOSTILE)) await writeFile(join(dir, name), text);
  await waitFor('every hostile file reported', async () => {
    const errors = await errorFiles(admin);
    return [split, ...Object.keys(HOSTILE).map((n) => join(dir, n))].every((f) => errors.some((e) => e.startsWith(`${f}: `)));
  });
  t.same(weights(controller), [50, 50], 'the split of the file turned hostile stays');
  t.equal(controller.configs().get(BOOKBUYER)?.version, before, 'bookbuyer keeps its last good config');
  t.equal(controller.store.proxies().length, 5);

  // A later change in another file arrives, and fixing the hostile file works.
  await writeFile(split, good.replace(/weight: 50\n(\s+- service: bookstore-v2\n\s+)weight: 50/, 'weight: 90\n$1weight: 10'));
  await waitFor('the fixed split', () => weights(controller).join() === '90,10');
  await waitFor('bookbuyer regenerated', () => controller.configs().get(BOOKBUYER)?.version !== before);
  for (const name of Object.keys(HOSTILE)) await rm(join(dir, name));
  await waitFor('problems cleared', async () => (await errorFiles(admin)).length === 0);
  t.equal(controller.store.proxies().length, 5);
});

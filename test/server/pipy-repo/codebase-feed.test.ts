import t from 'tap';
import { createCodebase, createCodebaseResource } from '../../../cache/codebase.js';
import { createLinearCache } from '../../../cache/linear-cache.js';
import { createResource } from '../../../cache/resource.js';
import { TypeUrl } from '../../../cache/types.js';
import { createCodebaseFeed } from '../../../server/pipy-repo/codebase-feed.js';
import { silentLogger } from '../../../src/shared/logger.js';

const codebase = (text: string) => createCodebase({ layers: [new Map([['/main.js', Buffer.from(text)]])] });

t.test('the first answer brings every codebase; later ones only the changed and removed names', async (t) => {
  const cache = createLinearCache(TypeUrl.PipyCodebase);
  cache.updateResources([createCodebaseResource('a', codebase('a1')), createCodebaseResource('b', codebase('b1'))], []);
  const feed = createCodebaseFeed(cache, silentLogger);
  const heard: string[][] = [];
  feed.start((names) => void heard.push([...names]));
  t.same(heard, [['a', 'b']], 'the initial set, at start');
  t.equal(feed.size, 2);
  t.equal(feed.get('a')?.files.get('/main.js')?.toString(), 'a1');

  cache.updateResource('a', createCodebaseResource('a', codebase('a2')));
  cache.updateResource('a', createCodebaseResource('a', codebase('a2')));
  cache.deleteResource('b');
  t.same(heard, [['a', 'b'], ['a'], ['b']], 'one change per cache update; an unchanged codebase is no change');
  t.equal(feed.get('a')?.files.get('/main.js')?.toString(), 'a2');
  t.equal(feed.get('b'), undefined);
  t.equal(cache.numWatches(), 1, 'exactly one watch stays armed');

  feed.close();
  t.equal(cache.numWatches(), 0, 'close cancels it');
  cache.updateResource('a', createCodebaseResource('a', codebase('a3')));
  t.equal(heard.length, 3, 'nothing is heard after close');
  feed.close();
});

t.test('a listener that publishes again finds the next watch armed', async (t) => {
  const cache = createLinearCache(TypeUrl.PipyCodebase);
  const feed = createCodebaseFeed(cache, silentLogger);
  const heard: string[][] = [];
  feed.start((names) => {
    heard.push([...names]);
    if (names.includes('x')) cache.updateResource('y', createCodebaseResource('y', codebase('y')));
  });
  cache.updateResource('x', createCodebaseResource('x', codebase('x')));
  t.same(heard, [['x'], ['y']]);
  t.equal(feed.size, 2);
  t.throws(() => feed.start(() => {}), /already started/);
  feed.close();
});

t.test('a resource of the codebase type without a codebase is skipped with a warning', async (t) => {
  const cache = createLinearCache(TypeUrl.PipyCodebase);
  const warnings: string[] = [];
  const feed = createCodebaseFeed(cache, { ...silentLogger, warn: (msg) => void warnings.push(msg) });
  feed.start(() => {});
  cache.updateResource('raw', createResource({ typeUrl: TypeUrl.PipyCodebase, name: 'raw', bytes: new Uint8Array([1]) }));
  t.equal(feed.get('raw'), undefined);
  t.match(warnings, [/carries no codebase/]);
  feed.close();
});

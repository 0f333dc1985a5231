import t from 'tap';
import { createCodebase, renderManifest } from '../../../server/pipy-repo/codebase.js';

const base = new Map<string, Uint8Array>([
  ['/main.js', Buffer.from('main')],
  ['/modules/z.js', Buffer.from('z')],
  ['/config.json', Buffer.from('{}')],
]);

t.test('the overlay overrides base files; the manifest lists main first, then sorted paths', async (t) => {
  const cb = createCodebase({ layers: [base, new Map([['/config.json', Buffer.from('{"a":1}')]])] });
  t.equal(Buffer.from(cb.files.get('/config.json') ?? []).toString(), '{"a":1}');
  t.equal(renderManifest(cb), '/main.js\n/config.json\n/modules/z.js\n');
  const custom = createCodebase({ main: '/modules/z.js', layers: [base] });
  t.equal(renderManifest(custom).split('\n')[0], '/modules/z.js');
});

t.test('the version is a content hash: equal content, equal version; any change, a new one', async (t) => {
  const a = createCodebase({ layers: [base, new Map([['/config.json', Buffer.from('{"w":1}')]])] });
  const b = createCodebase({ layers: [new Map(base), new Map([['/config.json', Buffer.from('{"w":1}')]])] });
  const c = createCodebase({ layers: [base, new Map([['/config.json', Buffer.from('{"w":2}')]])] });
  const d = createCodebase({ layers: [base, new Map([['/config2.json', Buffer.from('{"w":1}')]])] });
  t.equal(a.version, b.version);
  t.not(a.version, c.version);
  t.not(a.version, d.version);
  t.match(a.version, /^[0-9a-f]{16}$/);
  t.equal(createCodebase({ layers: [base], version: '42' }).version, '42');
});

t.test('invalid paths and a missing main file are refused', async (t) => {
  t.throws(() => createCodebase({ layers: [new Map([['main.js', Buffer.from('')]])] }), /must start with "\/"/);
  t.throws(() => createCodebase({ layers: [new Map([['/a\nb', Buffer.from('')]])] }), /one line/);
  t.throws(() => createCodebase({ layers: [new Map([['/other.js', Buffer.from('')]])] }), /main file \/main\.js/);
});

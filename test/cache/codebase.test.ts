import t from 'tap';
import { createCodebase, renderManifest } from '../../cache/codebase.js';

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

t.test('a codebase resource carries the Codebase and encodes fsm.pipy.v1.Codebase only when asked', async (t) => {
  const { createCodebaseResource, codebaseOf } = await import('../../cache/codebase.js');
  const { TypeUrl } = await import('../../cache/types.js');
  const protobuf = (await import('protobufjs')).default;
  const cb = createCodebase({ layers: [new Map([['/main.js', Buffer.from('main')], ['/config.json', Buffer.from('{}')]])] });
  const r = createCodebaseResource('fsm-sidecar/x', cb);
  t.equal(r.typeUrl, TypeUrl.PipyCodebase);
  t.equal(r.version, cb.version, 'the resource version is the etag');
  t.equal(codebaseOf(r), cb);
  t.equal(codebaseOf(undefined), undefined);
  const root = protobuf.loadSync('proto/fsm/pipy/v1/codebase.proto');
  const msg = root.lookupType('fsm.pipy.v1.Codebase').decode(r.bytes) as unknown as { name: string; version: string; main: string; files: Record<string, Uint8Array> };
  t.equal(msg.name, 'fsm-sidecar/x');
  t.equal(msg.version, cb.version);
  t.equal(msg.main, '/main.js');
  t.same(Object.keys(msg.files).sort(), ['/config.json', '/main.js']);
  t.equal(Buffer.from(msg.files['/main.js'] as Uint8Array).toString(), 'main');
  t.equal(r.bytes, r.bytes, 'encoded once');
});

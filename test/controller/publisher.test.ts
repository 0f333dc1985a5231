import t from 'tap';
import { createResource } from '../../cache/resource.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { setVersion } from '../../cache/snapshot.js';
import { TypeUrl } from '../../cache/types.js';
import { typeForUrl } from '../../server/codec/protos.js';
import { renderManifest } from '../../cache/codebase.js';
import { createPublisher } from '../../src/controller/publisher.js';
import type { SidecarConfig } from '../../src/generate/sidecar/sidecar-config.js';
import type { ProxyInfo } from '../../src/model/view.js';
import { loadBaseCodebase } from '../../src/pipy-base/load-base-codebase.js';

// The publisher reads a proxy's uuid and codebase name, and a config's JSON and version.
const proxy = (uuid: string, sa = 'bookbuyer') => ({ uuid, cnPrefix: `${uuid}.sidecar.${sa}.bookbuyer` }) as ProxyInfo;
const config = (logLevel: string): SidecarConfig => {
  const version = `v-${logLevel}`;
  return { json: JSON.stringify({ Spec: { SidecarLogLevel: logLevel }, Version: version }), version, problems: [], dependencies: new Set(), config: {} as SidecarConfig['config'] };
};
const secret = createResource({ typeUrl: TypeUrl.Secret, name: 'bookbuyer.bookbuyer', bytes: new Uint8Array([10, 1, 120]) });

async function setup() {
  const cache = createSnapshotCache();
  const base = await loadBaseCodebase();
  const extras = [secret];
  return { cache, base, publisher: createPublisher({ base, cache, extraResources: () => extras }) };
}

t.test('a proxy gets a codebase of the base files plus its config.json, and an xDS snapshot with its config and secrets', async (t) => {
  const { cache, base, publisher } = await setup();
  const p = proxy('u1');
  const cfg = config('info');
  t.same(publisher.publish(p, cfg), [`fsm-sidecar/${p.cnPrefix}`], 'the codebase name is returned as changed');

  const codebase = publisher.get(`fsm-sidecar/${p.cnPrefix}`);
  if (!codebase) throw new Error('no codebase');
  t.equal(Buffer.from(codebase.files.get('/config.json') ?? []).toString('utf8'), cfg.json, '/config.json is the config');
  t.same(codebase.files.get('/main.js'), base.files.get('/main.js'), 'the base files are shared, not copied');
  t.equal(renderManifest(codebase).split('\n')[0], '/main.js', 'the manifest starts with the main file');
  t.equal(publisher.codebaseVersion(p), codebase.version);

  const snapshot = cache.getSnapshot(p.cnPrefix);
  if (!snapshot) throw new Error('no snapshot');
  const resource = snapshot.resources(TypeUrl.PipySidecarConfig).get(p.cnPrefix);
  if (!resource) throw new Error('no SidecarConfig resource');
  const type = typeForUrl(TypeUrl.PipySidecarConfig);
  if (!type) throw new Error('SidecarConfig type not loaded');
  t.same(type.toObject(type.decode(resource.bytes)), { proxy: p.cnPrefix, version: cfg.version, json: cfg.json }, 'the resource decodes as fsm.pipy.v1.SidecarConfig');
  t.equal(resource.version, cfg.version, 'the resource version is the config version');
  t.equal(snapshot.version(TypeUrl.PipySidecarConfig), cfg.version, 'so is the type version of the snapshot');
  t.same([...snapshot.resources(TypeUrl.Secret).values()], [secret], 'the extra resources ride along');
  t.equal(snapshot.version(TypeUrl.Secret), setVersion([secret]), 'with the content version of their set');
});

t.test('versions are content-derived: stable across publishers, changed exactly when the config changes', async (t) => {
  const a = await setup();
  const b = await setup();
  const p = proxy('u1');
  a.publisher.publish(p, config('info'));
  b.publisher.publish(p, config('info'));
  const first = a.publisher.codebaseVersion(p);
  t.equal(b.publisher.codebaseVersion(p), first, 'a second publisher (a restarted controller) gives the same etag');

  const before = a.cache.getSnapshot(p.cnPrefix)?.resources(TypeUrl.PipySidecarConfig).get(p.cnPrefix);
  a.publisher.publish(p, config('info'));
  t.equal(a.publisher.codebaseVersion(p), first, 'republishing the same config keeps the etag');
  t.equal(a.cache.getSnapshot(p.cnPrefix)?.resources(TypeUrl.PipySidecarConfig).get(p.cnPrefix), before, 'an unchanged config reuses its resource object');

  a.publisher.publish(p, config('debug'));
  t.not(a.publisher.codebaseVersion(p), first, 'a changed config changes the etag');
  t.equal(a.cache.getSnapshot(p.cnPrefix)?.version(TypeUrl.PipySidecarConfig), 'v-debug', 'and the xDS version');
  t.equal(a.publisher.codebaseVersion(proxy('u2')), undefined, 'an unpublished proxy has no etag');
});

t.test('a proxy whose name changes leaves its old codebase and snapshot; remove clears both', async (t) => {
  const { cache, publisher } = await setup();
  const before = proxy('u1', 'bookbuyer');
  const after = proxy('u1', 'bookbuyer-v2');
  publisher.publish(before, config('info'));
  t.same(publisher.publish(after, config('info')), [`fsm-sidecar/${after.cnPrefix}`, `fsm-sidecar/${before.cnPrefix}`], 'both names are reported');
  t.equal(publisher.get(`fsm-sidecar/${before.cnPrefix}`), undefined, 'the old codebase is gone');
  t.equal(cache.getSnapshot(before.cnPrefix), undefined, 'and its snapshot');
  t.equal(publisher.size(), 1);

  t.equal(publisher.remove('u1'), `fsm-sidecar/${after.cnPrefix}`);
  t.equal(publisher.get(`fsm-sidecar/${after.cnPrefix}`), undefined);
  t.equal(cache.getSnapshot(after.cnPrefix), undefined);
  t.equal(publisher.remove('u1'), undefined, 'removing twice is a no-op');
  t.equal(publisher.size(), 0);
});

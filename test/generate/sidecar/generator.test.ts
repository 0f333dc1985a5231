import t from 'tap';
import { codebaseOf, renderManifest } from '../../../cache/codebase.js';
import { createResource } from '../../../cache/resource.js';
import { setVersion } from '../../../cache/snapshot.js';
import { TypeUrl } from '../../../cache/types.js';
import { typeForUrl } from '../../../server/codec/protos.js';
import { createSidecarConfigSet, sidecarCodebaseName } from '../../../src/generate/sidecar/index.js';
import { loadBaseCodebase } from '../../../src/pipy-base/load-base-codebase.js';
import { fixture, meshConfig, storeOf } from './fixtures/helpers.js';

// What a sidecar node is served as: a codebase of the base files plus its
// config.json, and an xDS node with its config and extra resources.

const secret = createResource({ typeUrl: TypeUrl.Secret, name: 'bookbuyer.bookbuyer', bytes: new Uint8Array([10, 1, 120]) });

async function setup(logLevel = 'error') {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({ sidecar: { logLevel } })]);
  const base = await loadBaseCodebase();
  const extras = [secret];
  const set = createSidecarConfigSet({ view: store, base, xdsExtras: () => extras });
  set.recompute();
  const proxy = store.proxies()[0];
  if (!proxy) throw new Error('no proxy');
  const node = set.get(proxy.uuid);
  if (!node) throw new Error('no node');
  return { store, base, set, proxy, node };
}

t.test('the codebase is the base files plus config.json; the xDS node carries the config and the extras', async (t) => {
  const { base, proxy, node } = await setup();
  const outputs = node.outputs();
  t.equal(outputs.codebase?.name, sidecarCodebaseName(proxy));
  t.equal(outputs.codebase?.typeUrl, TypeUrl.PipyCodebase);
  const codebase = codebaseOf(outputs.codebase);
  if (!codebase) throw new Error('no codebase');
  t.equal(Buffer.from(codebase.files.get('/config.json') ?? []).toString('utf8'), node.json, '/config.json is the config');
  t.equal(codebase.files.get('/main.js'), base.files.get('/main.js'), 'the base files are shared, not copied');
  t.equal(renderManifest(codebase).split('\n')[0], '/main.js', 'the manifest starts with the main file');
  t.equal(outputs.codebase?.version, codebase.version, 'the resource version is the etag');

  const xds = outputs.xds;
  if (!xds) throw new Error('no xDS output');
  t.equal(xds.nodeId, proxy.cnPrefix);
  t.equal(xds.primaryType, TypeUrl.PipySidecarConfig);
  const resource = xds.resources.find((r) => r.typeUrl === TypeUrl.PipySidecarConfig);
  if (!resource) throw new Error('no SidecarConfig resource');
  const type = typeForUrl(TypeUrl.PipySidecarConfig);
  if (!type) throw new Error('SidecarConfig type not loaded');
  t.same(type.toObject(type.decode(resource.bytes)), { proxy: proxy.cnPrefix, version: node.version, json: node.json }, 'the resource decodes as fsm.pipy.v1.SidecarConfig');
  t.equal(resource.version, node.version, 'the resource version is the config version');
  t.same(xds.versions, { [TypeUrl.PipySidecarConfig]: node.version, [TypeUrl.Secret]: setVersion([secret]) }, 'type versions: the config version and the content version of the extras');
  t.ok(xds.resources.includes(secret), 'the extra resources ride along');
  const json = codebase.files.get('/config.json');
  t.equal(json?.buffer, resource.bytes.buffer, "/config.json is a view of the resource's bytes: the JSON is held once per proxy");
  t.same(Buffer.from(resource.bytes.subarray(resource.bytes.length - (json?.length ?? 0))), Buffer.from(json ?? []), 'and it is the JSON field at their end');
});

t.test('etags are content-derived: stable across generators, changed exactly when the config changes', async (t) => {
  const a = await setup();
  const b = await setup();
  t.equal(b.node.outputs().codebase?.version, a.node.outputs().codebase?.version, 'a second generator (a restarted controller) gives the same etag');
  const c = await setup('debug');
  t.not(c.node.outputs().codebase?.version, a.node.outputs().codebase?.version, 'a changed config changes the etag');
  t.not(c.node.version, a.node.version);
});

t.test('without a base a node is served over xDS only', async (t) => {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({})]);
  const set = createSidecarConfigSet({ view: store });
  set.recompute();
  const outputs = set.get(set.keys()[0] as string)?.outputs();
  t.equal(outputs?.codebase, undefined);
  t.ok(outputs?.xds);
});

t.test('plugin scripts a config mounts are files of its codebase; a changed script is a new version', async (t) => {
  const { UUID } = await import('./fixtures/helpers.js');
  const base = await loadBaseCodebase();
  const withScript = (script: string) =>
    [...fixture('mesh.yaml'), ...fixture('policies.yaml'), meshConfig({ featureFlags: { enablePluginPolicy: true } })].map((o) =>
      o.kind === 'Plugin' ? { ...o, spec: { ...(o.spec as object), pipyscript: script } } : o,
    );
  const nodeFor = (script: string) => {
    const set = createSidecarConfigSet({ view: storeOf(withScript(script)), base });
    set.recompute();
    const node = set.get(UUID.bookstoreV1);
    if (!node) throw new Error('no bookstore-v1');
    return node;
  };
  const a = nodeFor('pipy()');
  t.ok(a.config.Chains?.['inbound-http']?.includes('plugins/token-verifier.js'), 'the chain lists the plugin');
  const codebase = codebaseOf(a.outputs().codebase);
  // Before: the manifest lacked it, the GET was 404, and Pipy failed the whole load.
  t.equal(Buffer.from(codebase?.files.get('/plugins/token-verifier.js') ?? []).toString(), 'pipy()', 'served from the codebase');
  t.ok(renderManifest(codebase!).includes('/plugins/token-verifier.js\n'), 'and listed in the manifest');
  const b = nodeFor('pipy().dummy()');
  t.equal(b.configVersion, a.configVersion, 'the JSON is the same');
  t.not(b.version, a.version, 'but the node version changes');
  t.not(b.outputs().codebase?.version, a.outputs().codebase?.version, 'and so does the etag');
  const plain = createSidecarConfigSet({ view: storeOf([...fixture('mesh.yaml'), meshConfig({})]), base });
  plain.recompute();
  const p = plain.get(UUID.bookstoreV1);
  t.equal(p?.version, p?.configVersion, 'without plugins the node version is the config version');
});

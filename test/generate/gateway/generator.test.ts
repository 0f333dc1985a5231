/**
 * The gateway generator through the generator seam: its nodes, what a change
 * touches (only the gateways that read what changed), its outputs, versions,
 * and codebase names.
 */
import t from 'tap';
import { codebaseOf } from '../../../cache/codebase.js';
import type { MeshObject } from '../../../src/model/types.js';
import type { ModelChange } from '../../../src/model/view.js';
import { fixture, generateAll, generator, storeOf, TEST_BASE } from './helpers.js';

const gw = (name: string, ns = 'gw', created = '2024-01-01T00:00:00Z'): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: ns, creationTimestamp: created },
  spec: { gatewayClassName: 'fsm-gateway-cls', listeners: [{ name: 'web', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
});
const route = (name: string, parent: string, backend = 'httpbin', ns = 'gw'): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: ns },
  spec: { parentRefs: [{ name: parent, namespace: 'gw' }], hostnames: [`${name}.example.com`], rules: [{ backendRefs: [{ name: backend, namespace: 'gw', port: 8080 }] }] },
});

const world = [...fixture('base.yaml'), gw('a'), gw('b', 'gw', '2024-02-01T00:00:00Z'), gw('c', 'apps'), route('ra', 'a'), route('rb', 'b', 'httpbin-v2')];

/** The changes of applying `objects` (upserts) or deleting them, as the store reports them. */
function applyChanges(store: ReturnType<typeof storeOf>, objects: MeshObject[], type: 'upsert' | 'delete' = 'upsert'): readonly ModelChange[] {
  return store.apply(objects.map((object) => ({ type, object }))).changes;
}

function regenerated(store: ReturnType<typeof storeOf>, changes: readonly ModelChange[]): string[] {
  const gen = generator();
  const batch = gen.beginBatch(store);
  const deps = new Map(gen.nodes(store).map((k) => [k, gen.generate(store, k, batch).dependencies]));
  const touched = gen.touched(store, changes);
  const keys = new Set(touched.keys);
  const out = new Set(touched.nodes);
  for (const [k, d] of deps) if ([...d].some((x) => keys.has(x))) out.add(k);
  return [...out].sort();
}

t.test('nodes: the Gateways of FSM\'s class, none while the Gateway API is disabled', async (t) => {
  const gen = generator();
  const store = storeOf([...world, { ...gw('other'), spec: { gatewayClassName: 'istio', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }] } }]);
  t.same(gen.nodes(store), ['apps/c', 'gw/a', 'gw/b']);
  t.ok(gen.hasNode(store, 'gw/a'));
  t.notOk(gen.hasNode(store, 'gw/other'), 'another controller\'s class');
  t.notOk(gen.hasNode(store, 'gw/nope'));
  const off = storeOf([...world, { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec: { gatewayAPI: { enabled: false } } }]);
  t.same(gen.nodes(off), []);
  t.notOk(gen.hasNode(off, 'gw/a'));
  t.throws(() => gen.generate(off, 'gw/a', gen.beginBatch(off)), /not a Gateway this controller runs/);
});

t.test('codebase names: the oldest Gateway of a namespace keeps FSM\'s local/gw/<ns>; the others get local/gws/<ns>/<name>', async (t) => {
  const nodes = generateAll(storeOf(world));
  t.same([...nodes].map(([k, n]) => [k, n.codebaseName]), [
    ['apps/c', 'local/gw/apps'],
    ['gw/a', 'local/gw/gw'],
    ['gw/b', 'local/gws/gw/b'],
  ]);
  const codebase = codebaseOf(nodes.get('gw/a')?.outputs().codebase);
  t.equal(codebase?.main, '/main.js');
  t.same([...(codebase?.files.keys() ?? [])].sort(), ['/config.json', '/main.js'], 'the base files with config.json');
  t.equal(new TextDecoder().decode(codebase?.files.get('/config.json')), nodes.get('gw/a')?.configJson);
  t.equal(codebase?.files.get('/main.js'), TEST_BASE.files.get('/main.js'), 'base bytes are shared, not copied');
});

t.test('an HTTPRoute edit touches only the gateway it names (old and new parents)', async (t) => {
  const store = storeOf(world);
  t.same(regenerated(store, applyChanges(store, [{ ...route('ra', 'a'), spec: { ...(route('ra', 'a').spec as object), hostnames: ['new.example.com'] } }])), ['gw/a']);
  t.same(regenerated(store, applyChanges(store, [route('ra', 'b')])), ['gw/a', 'gw/b'], 'moving a route touches both parents');
  t.same(regenerated(store, applyChanges(store, [route('rb', 'b')], 'delete')), ['gw/b']);
});

t.test('backends, secrets, grants and policies touch the gateways that read them', async (t) => {
  const store = storeOf(world);
  const slice = world.find((o) => o.metadata.name === 'httpbin-v2-1') as MeshObject;
  t.same(regenerated(store, applyChanges(store, [{ ...slice, endpoints: [{ addresses: ['10.0.0.99'] }] }])), ['gw/b'], 'an endpoint of httpbin-v2');
  t.same(regenerated(store, applyChanges(store, [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated', namespace: 'gw' }, data: {} }])), [], 'an unread Secret');
  t.same(
    regenerated(store, applyChanges(store, [{ apiVersion: 'gateway.flomesh.io/v1alpha1', kind: 'RetryPolicy', metadata: { name: 'r', namespace: 'gw' }, spec: { targetRef: { group: '', kind: 'Service', name: 'httpbin' }, ports: [{ port: 8080, config: { retryOn: ['5xx'] } }] } }])),
    ['gw/a'],
    'a policy on the Service gw/a routes to',
  );
  t.same(
    regenerated(store, applyChanges(store, [{ apiVersion: 'gateway.flomesh.io/v1alpha1', kind: 'RateLimitPolicy', metadata: { name: 'rl', namespace: 'gw' }, spec: { targetRef: { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'rb' }, hostnames: [{ hostname: 'rb.example.com', config: { requests: 1, statTimeWindow: 1 } }] } }])),
    ['gw/b'],
    'a policy on a route of gw/b',
  );
  t.same(regenerated(store, applyChanges(store, [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'fresh', namespace: 'apps' }, spec: { ports: [{ port: 1 }] } }])), [], 'a Service nobody routes to');
});

t.test('Gateway and class changes name the nodes they add, remove or rename', async (t) => {
  const store = storeOf(world);
  const gen = generator();
  t.same([...gen.touched(store, applyChanges(store, [gw('a')], 'delete')).nodes].sort(), ['gw/a', 'gw/b'], 'deleting the oldest renames its sibling');
  t.equal(generateAll(store).get('gw/b')?.codebaseName, 'local/gw/gw', 'gw/b now has the namespace path');
  t.same([...gen.touched(store, applyChanges(store, [gw('d', 'apps', '2025-01-01T00:00:00Z')])).nodes].sort(), ['apps/c', 'apps/d']);
  const cls = world.find((o) => o.kind === 'GatewayClass') as MeshObject;
  t.same([...gen.touched(store, applyChanges(store, [{ ...cls, spec: { controllerName: 'example.com/other' } }])).nodes].sort(), ['apps/c', 'apps/d', 'gw/b']);
  t.same(gen.nodes(store), []);
  const mc = world.find((o) => o.kind === 'MeshConfig') as MeshObject;
  applyChanges(store, [cls]);
  t.same([...gen.touched(store, applyChanges(store, [{ ...mc, spec: { gatewayAPI: { enabled: false } } }])).nodes].sort(), ['apps/c', 'apps/d', 'gw/b'], 'disabling names every gateway it removes');
  t.same(gen.nodes(store), []);
  t.same([...gen.touched(store, applyChanges(store, [mc])).nodes].sort(), ['apps/c', 'apps/d', 'gw/b'], 'enabling names every gateway');
});

t.test('versions: equal content, equal version; a change to config or codebase name changes it', async (t) => {
  const one = generateAll(storeOf(world));
  const two = generateAll(storeOf([...world].reverse()));
  for (const [k, n] of one) t.equal(two.get(k)?.version, n.version, k);
  const edited = generateAll(storeOf([...world, route('extra', 'a')]));
  t.not(edited.get('gw/a')?.version, one.get('gw/a')?.version);
  t.equal(edited.get('gw/b')?.version, one.get('gw/b')?.version);
  const otherBase = generateAll(storeOf(world), (await import('../../../src/generate/gateway/generator.js')).createGatewayGenerator({ base: { main: '/main.js', files: new Map([['/main.js', new Uint8Array([1])]]) } }));
  t.not(otherBase.get('gw/a')?.version, one.get('gw/a')?.version, 'another base is another output');
});

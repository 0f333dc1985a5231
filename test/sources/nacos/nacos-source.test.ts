import t, { type Test } from 'tap';
import { parseNacosArg } from '../../../src/sources/nacos/config.js';
import { createNacosSource } from '../../../src/sources/nacos/scheme.js';
import type { CatalogSource } from '../../../src/sources/catalog/catalog-source.js';
import { createNacosStandIn, type NacosStandIn, type NacosStandInOptions } from '../../stand-ins/nacos-stand-in.js';
import { createRegistryMesh, type RegistryMesh } from '../../support/registry-mesh.js';
import { waitFor } from '../../support/wait-for.js';

const FAST = { backoff: { initialMs: 20, maxMs: 200 }, silenceMs: 300 };

async function setup(t: Test, query = '', opts: NacosStandInOptions = {}): Promise<{ nacos: NacosStandIn; source: CatalogSource; mesh: RegistryMesh }> {
  const nacos = await createNacosStandIn(opts);
  t.teardown(() => nacos.close());
  const source = createNacosSource(parseNacosArg(`${nacos.url}?interval=50ms${query}`), FAST);
  t.teardown(() => source.close());
  return { nacos, source, mesh: createRegistryMesh() };
}

for (const api of ['v1', 'v2']) {
  t.test(`${api}: healthy, enabled instances of the configured groups and clusters join; changes follow`, async (t) => {
    const { nacos, source, mesh } = await setup(t, `&api=${api}&group=DEFAULT_GROUP&group=SHOP`);
    nacos.register({ service: 'orders', ip: '10.0.0.1', port: 8080 });
    nacos.register({ service: 'orders', ip: '10.0.0.2', port: 8080, group: 'SHOP' });
    nacos.register({ service: 'orders', ip: '10.0.0.3', port: 8080, healthy: false });
    nacos.register({ service: 'orders', ip: '10.0.0.4', port: 8080, enabled: false });
    nacos.register({ service: 'orders', ip: '10.0.0.5', port: 8080, cluster: 'OTHER' });
    nacos.register({ service: 'orders', ip: '10.0.0.6', port: 8080, group: 'ELSEWHERE' });
    nacos.register({ service: 'orders', ip: '10.0.0.7', port: 8080, namespace: 'dev' });
    mesh.attach(source);
    await source.ready;
    t.same(mesh.endpoints('default/orders|8080'), ['10.0.0.1:8080', '10.0.0.2:8080'], 'one service across the groups; unhealthy, disabled, other clusters, groups and namespaces left out');
    nacos.register({ service: 'orders', ip: '10.0.0.8', port: 8080 });
    await waitFor('a new instance', () => mesh.endpoints('default/orders|8080')?.length === 3);
    nacos.deregister('orders', '10.0.0.1', 8080);
    nacos.deregister('orders', '10.0.0.2', 8080, { group: 'SHOP' });
    nacos.deregister('orders', '10.0.0.8', 8080);
    await waitFor('the service to leave', () => mesh.store.get('Service', 'default', 'orders') === undefined);
  });
}

t.test('namespaceId, every cluster, and auth', async (t) => {
  const { nacos, source, mesh } = await setup(t, '&namespaceId=dev&cluster=*&username=nacos&password=pw', { user: { username: 'nacos', password: 'pw' } });
  nacos.register({ service: 'api', ip: '10.0.1.1', port: 80, namespace: 'dev' });
  nacos.register({ service: 'api', ip: '10.0.1.2', port: 80, namespace: 'dev', cluster: 'B' });
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/api|80'), ['10.0.1.1:80', '10.0.1.2:80']);
  t.equal(nacos.http.requests.get('POST /nacos/v1/auth/login'), 1, 'logged in once, the token reused');
});

t.test('wrong credentials: stale with the refusal (E8001)', async (t) => {
  const { nacos, source, mesh } = await setup(t, '&username=nacos&password=wrong&syncTimeout=300ms', { user: { username: 'nacos', password: 'pw' } });
  nacos.register({ service: 'api', ip: '10.0.1.1', port: 80 });
  mesh.attach(source);
  await source.ready;
  await waitFor('stale', () => source.status().stale);
  t.match(source.status().errors[0], { code: 'E8001', message: /login as "nacos": HTTP 403/ });
});

t.test('registry down and back; garbage kept out', async (t) => {
  const { nacos, source, mesh } = await setup(t);
  nacos.register({ service: 'api', ip: '10.0.1.1', port: 80 });
  mesh.attach(source);
  await source.ready;
  await nacos.http.stop();
  await waitFor('stale', () => source.status().errors.some((e) => e.code === 'E8000'));
  t.same(mesh.endpoints('default/api|80'), ['10.0.1.1:80']);
  nacos.register({ service: 'api', ip: '10.0.1.2', port: 80 });
  await nacos.http.start();
  await waitFor('recovery', () => mesh.endpoints('default/api|80')?.length === 2 && !source.status().stale, 20_000);
  nacos.http.fault = 'garbage';
  await waitFor('garbage', () => source.status().errors.some((e) => e.code === 'E8001'));
  t.same(mesh.endpoints('default/api|80'), ['10.0.1.1:80', '10.0.1.2:80']);
  nacos.http.fault = 'none';
  await waitFor('recovery', () => !source.status().stale);
});

t.test('parse', async (t) => {
  const c = parseNacosArg('http://u:p@nacos:8848?group=A,B&cluster=*&api=v2');
  t.equal(c.url.href, 'http://nacos:8848/nacos', 'the context path by default, credentials out of the URL');
  t.equal(c.name, 'nacos:http://nacos:8848/nacos');
  t.same([c.username, c.password, c.groups, c.clusters, c.api], ['u', 'p', ['A', 'B'], [], 'v2']);
  t.same(parseNacosArg('http://nacos:8848').clusters, ['DEFAULT'], "FSM's default cluster set");
  t.throws(() => parseNacosArg('http://nacos:8848?api=v3'), /option "api": "v3" is not v1 or v2/);
});

import t, { type Test } from 'tap';
import { parseEurekaArg } from '../../../src/sources/eureka/config.js';
import { parseApplications, reconcileHash } from '../../../src/sources/eureka/eureka-registry.js';
import { createEurekaSource } from '../../../src/sources/eureka/scheme.js';
import type { CatalogSource } from '../../../src/sources/catalog/catalog-source.js';
import { createEurekaStandIn, type EurekaStandIn } from '../../stand-ins/eureka-stand-in.js';
import { createRegistryMesh, type RegistryMesh } from '../../support/registry-mesh.js';
import { waitFor } from '../../support/wait-for.js';

const FAST = { backoff: { initialMs: 20, maxMs: 200 }, silenceMs: 300 };

async function setup(t: Test, query = ''): Promise<{ eureka: EurekaStandIn; source: CatalogSource; mesh: RegistryMesh }> {
  const eureka = await createEurekaStandIn();
  t.teardown(() => eureka.close());
  const source = createEurekaSource(parseEurekaArg(`${eureka.url}?interval=50ms${query}`), FAST);
  t.teardown(() => source.close());
  return { eureka, source, mesh: createRegistryMesh() };
}

t.test('UP instances join by VIP address, follow deltas, leave when cancelled or DOWN', async (t) => {
  const { eureka, source, mesh } = await setup(t);
  eureka.register('ORDER-SERVICE', { instanceId: 'o-1', ipAddr: '10.0.0.1', port: 8080, vipAddress: 'order-service' });
  eureka.register('ORDER-SERVICE', { instanceId: 'o-2', ipAddr: '10.0.0.2', port: 8080, vipAddress: 'order-service', status: 'STARTING' });
  eureka.register('LEGACY', { instanceId: 'l-1', ipAddr: '10.0.1.1', port: 80 });
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/order-service|8080'), ['10.0.0.1:8080'], 'only UP instances');
  t.same(mesh.endpoints('default/legacy|80'), ['10.0.1.1:80'], 'the app name (lower case) when there is no VIP address');

  eureka.setStatus('ORDER-SERVICE', 'o-2', 'UP');
  await waitFor('o-2 UP', () => mesh.endpoints('default/order-service|8080')?.length === 2);
  eureka.setStatus('ORDER-SERVICE', 'o-1', 'DOWN');
  await waitFor('o-1 DOWN', () => mesh.endpoints('default/order-service|8080')?.join() === '10.0.0.2:8080');
  eureka.cancel('ORDER-SERVICE', 'o-2');
  await waitFor('order-service gone', () => mesh.store.get('Service', 'default', 'order-service') === undefined);
  t.ok((eureka.http.requests.get('GET /eureka/apps/delta') ?? 0) > 0, 'through deltas');
  t.equal(eureka.http.requests.get('GET /eureka/apps'), 1, 'one full fetch so far');
});

t.test('a delta that does not reconcile with the hash brings the full registry', async (t) => {
  const { eureka, source, mesh } = await setup(t);
  eureka.register('A', { instanceId: 'a-1', ipAddr: '10.0.0.1', port: 80 });
  mesh.attach(source);
  await source.ready;
  eureka.register('A', { instanceId: 'a-2', ipAddr: '10.0.0.2', port: 80 });
  eureka.dropDeltas(); // as if the client had polled after the retention window
  await waitFor('the full fetch', () => mesh.endpoints('default/a|80')?.length === 2);
  t.ok((eureka.http.requests.get('GET /eureka/apps') ?? 0) >= 2, 'the registry was fetched in full again');
});

t.test('registry down, garbage and errors keep the last good answer; recovery without restart', async (t) => {
  const { eureka, source, mesh } = await setup(t);
  eureka.register('A', { instanceId: 'a-1', ipAddr: '10.0.0.1', port: 80 });
  mesh.attach(source);
  await source.ready;
  await eureka.http.stop();
  await waitFor('stale', () => source.status().stale);
  t.equal(source.status().errors[0]?.code, 'E8000');
  t.same(mesh.endpoints('default/a|80'), ['10.0.0.1:80'], 'kept while down');
  eureka.register('A', { instanceId: 'a-2', ipAddr: '10.0.0.2', port: 80 });
  await eureka.http.start();
  await waitFor('recovery', () => mesh.endpoints('default/a|80')?.length === 2 && !source.status().stale, 20_000);
  for (const fault of ['garbage', 'error'] as const) {
    eureka.http.fault = fault;
    await waitFor(fault, () => source.status().errors.some((e) => e.code === 'E8001'));
    t.same(mesh.endpoints('default/a|80'), ['10.0.0.1:80', '10.0.0.2:80'], `${fault}: kept`);
    eureka.http.fault = 'none';
    await waitFor('recovery', () => !source.status().stale);
  }
});

t.test('a registry that hangs is given up on and asked again', async (t) => {
  const { eureka, source, mesh } = await setup(t);
  eureka.register('A', { instanceId: 'a-1', ipAddr: '10.0.0.1', port: 80 });
  mesh.attach(source);
  await source.ready;
  eureka.http.fault = 'hang';
  await waitFor('the timeout', () => source.status().errors.some((e) => /no complete answer within 900 ms/.test(e.message)));
  eureka.register('A', { instanceId: 'a-2', ipAddr: '10.0.0.2', port: 80 });
  eureka.http.fault = 'none';
  await waitFor('recovery', () => mesh.endpoints('default/a|80')?.length === 2, 20_000);
});

t.test('limits and loop prevention', async (t) => {
  const { eureka, source, mesh } = await setup(t, '&maxInstances=2');
  eureka.register('A', { instanceId: 'a-1', ipAddr: '10.0.0.1', port: 80 });
  eureka.register('A', { instanceId: 'own', ipAddr: '10.0.0.9', port: 80, metadata: { 'fsm.connector.service.cluster.set': 'local.default.default.default' } });
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/a|80'), ['10.0.0.1:80'], 'an instance this cluster set registered is not read back');
  eureka.register('B', { instanceId: 'b-1', ipAddr: '10.0.1.1', port: 80 });
  await waitFor('E8002', () => source.status().errors.some((e) => e.code === 'E8002'));
  t.equal(mesh.endpoints('default/b|80'), undefined);
});

t.test('registry JSON from XStream-era servers: lone apps and instances as objects', async (t) => {
  const apps = parseApplications({
    applications: {
      apps__hashcode: 'UP_1_',
      application: { name: 'X', instance: { instanceId: 'x-1', app: 'X', ipAddr: '10.0.0.1', status: 'UP', port: { $: '8080', '@enabled': 'true' }, metadata: { '@class': 'java.util.Collections$EmptyMap' }, vipAddress: 'x,x-alias' } },
    },
  }, 'test');
  t.same(apps.instances, [{ key: 'X/x-1', app: 'X', vips: ['x', 'x-alias'], status: 'UP', address: '10.0.0.1', port: 8080, metadata: {} }]);
  t.equal(reconcileHash(apps.instances), apps.hash);
  t.throws(() => parseApplications({ nope: 1 }, 'registry'), { code: 'E8001', message: 'registry: no "applications" in the answer' });
  t.same(parseApplications({ applications: { apps__hashcode: '' } }, 'r').instances, [], 'an empty registry');
  t.throws(() => parseEurekaArg('http://e:8761/eureka?interval=0s'), /option "interval": "0s" is not a positive duration/);
});

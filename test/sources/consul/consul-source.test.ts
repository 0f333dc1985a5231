import t, { type Test } from 'tap';
import { parseConsulArg } from '../../../src/sources/consul/config.js';
import { createConsulSource } from '../../../src/sources/consul/scheme.js';
import type { CatalogSource } from '../../../src/sources/catalog/catalog-source.js';
import { createConsulStandIn, type ConsulStandIn } from '../../stand-ins/consul-stand-in.js';
import { createRegistryMesh, type RegistryMesh } from '../../support/registry-mesh.js';
import { waitFor } from '../../support/wait-for.js';

const FAST = { backoff: { initialMs: 20, maxMs: 200 }, silenceMs: 300 };

async function setup(t: Test, query = '', tuning: Record<string, unknown> = {}): Promise<{ consul: ConsulStandIn; source: CatalogSource; mesh: RegistryMesh }> {
  const consul = await createConsulStandIn();
  t.teardown(() => consul.close());
  const config = parseConsulArg(`${consul.url}?wait=2s${query}`);
  const source = createConsulSource(config, { ...FAST, ...tuning });
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  return { consul, source, mesh };
}

t.test('instances join the sidecar config, leave on deregistration and when unhealthy', async (t) => {
  const { consul, source, mesh } = await setup(t);
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.11', port: 8080 });
  consul.register({ id: 'web-2', service: 'web', node: 'vm-2', address: '10.0.0.12', port: 8080 });
  consul.register({ id: 'db-1', service: 'db', serviceAddress: '10.0.1.1', port: 5432, status: 'critical' });
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080', '10.0.0.12:8080'], "service address, else the node's address");
  t.equal(mesh.endpoints('default/db|5432'), undefined, 'a service whose only instance is critical is not in the mesh');
  const svc = mesh.store.get('Service', 'default', 'web');
  t.equal(svc?.metadata.annotations?.['flomesh.io/mesh-service-sync'], 'consul', 'FSM annotations on the Service');
  t.equal(svc?.metadata.labels?.['fsm-connector-cloud-sourced-service'], 'true');
  t.ok(mesh.store.namespaces().includes('default'), 'the namespace counts as meshed without a Namespace object');

  consul.register({ id: 'web-3', service: 'web', serviceAddress: '10.0.0.13', port: 9090 });
  await waitFor('web-3', () => mesh.endpoints('default/web|9090')?.length === 1);
  t.same(mesh.endpoints('default/web|9090'), ['10.0.0.13:9090'], 'an instance on another port gets a port of its own');
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080', '10.0.0.12:8080'], 'and does not join the 8080 cluster');

  consul.deregister('web-2', 'vm-2');
  await waitFor('web-2 to leave', () => mesh.endpoints('default/web|8080')?.length === 1);
  consul.setStatus('web-1', 'critical');
  await waitFor('web-1 to leave', () => mesh.endpoints('default/web|8080') === undefined);
  t.same(mesh.endpoints('default/web|9090'), ['10.0.0.13:9090'], 'the other port stays');
  consul.setStatus('db-1', 'passing');
  await waitFor('db to join', () => mesh.endpoints('default/db|5432') !== undefined);
  consul.deregister('web-1');
  consul.deregister('web-3');
  await waitFor('web to leave the model', () => mesh.store.get('Service', 'default', 'web') === undefined);
  t.equal(mesh.store.list('EndpointSlice', 'default').filter((s) => s.metadata.name.startsWith('web-')).length, 0, 'with its slices');
  t.equal(source.status().stale, false, 'never stale on the way');
});

t.test('registry down: nothing leaves, the source is stale (E8000); back: changes flow again', async (t) => {
  const { consul, source, mesh } = await setup(t);
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.11', port: 8080 });
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080']);

  await consul.http.stop();
  await waitFor('staleness', () => source.status().stale);
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080'], 'the last good answer stays');
  const errors = mesh.store.errors().filter((e) => e.code === 'E8000');
  t.ok(errors.length >= 1, 'an E8000 problem is listed');
  t.match(errors[0]?.reason, /keeping the 1 service\(s\) of the last good answer \(stale since /);
  t.ok((mesh.store.errorCounts().get('E8000') ?? 0) >= 1, 'and counted');

  consul.register({ id: 'web-2', service: 'web', serviceAddress: '10.0.0.12', port: 8080 });
  consul.deregister('web-1');
  await consul.http.start();
  await waitFor('changes after recovery', () => mesh.endpoints('default/web|8080')?.join() === '10.0.0.12:8080', 20_000);
  await waitFor('not stale', () => !source.status().stale);
  t.equal(mesh.store.errors().filter((e) => e.code === 'E8000').length, 0, 'the problem is gone');
});

t.test('errors and garbage keep the last good answer (E8001)', async (t) => {
  const { consul, source, mesh } = await setup(t);
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.11', port: 8080 });
  mesh.attach(source);
  await source.ready;
  for (const fault of ['error', 'garbage'] as const) {
    consul.http.fault = fault;
    // Queries already waiting answer truthfully; the next ones meet the fault (after the 2 s wait at most).
    await waitFor(`stale on ${fault}`, () => source.status().errors.some((e) => e.code === 'E8001'));
    consul.register({ id: `web-${fault}`, service: 'web', serviceAddress: '10.0.0.99', port: 8080 });
    await new Promise((r) => setTimeout(r, 300));
    t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080'], `${fault}: nothing changes`);
    consul.deregister(`web-${fault}`);
    consul.http.fault = 'none';
    await waitFor(`recovery from ${fault}`, () => !source.status().stale);
  }
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080']);
});

t.test('a silent watch is started again', async (t) => {
  const { consul, source, mesh } = await setup(t, '', { silenceMs: 200 });
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.11', port: 8080 });
  mesh.attach(source);
  await source.ready;
  consul.http.fault = 'silent';
  consul.register({ id: 'web-2', service: 'web', serviceAddress: '10.0.0.12', port: 8080 });
  await waitFor('the silent watch to be noticed', () => source.status().stale, 20_000);
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080'], 'held answers change nothing');
  t.match(source.status().errors.map((e) => e.message).join(), /no complete answer within/);
  consul.http.fault = 'none';
  await waitFor('the restarted watch', () => mesh.endpoints('default/web|8080')?.length === 2, 20_000);
  await waitFor('not stale', () => !source.status().stale);
});

t.test('limits: too many instances or too many bytes are refused whole (E8002)', async (t) => {
  const { consul, source, mesh } = await setup(t, '&maxInstances=3');
  consul.registerMany([1, 2, 3].map((i) => ({ id: `a-${i}`, service: 'a', address: `10.0.0.${i}`, port: 80 })));
  mesh.attach(source);
  await source.ready;
  t.equal(mesh.endpoints('default/a|80')?.length, 3);
  consul.registerMany([{ id: 'b-1', service: 'b', address: '10.0.1.1', port: 80 }]);
  await waitFor('the limit', () => source.status().errors.some((e) => e.code === 'E8002'));
  t.match(source.status().errors.find((e) => e.code === 'E8002')?.message, /4 instances, more than maxInstances=3/);
  t.equal(mesh.endpoints('default/b|80'), undefined, 'the answer over the limit is not applied');
  t.equal(mesh.endpoints('default/a|80')?.length, 3, 'the rest stays');

  const small = await createConsulStandIn();
  t.teardown(() => small.close());
  small.registerMany(Array.from({ length: 50 }, (_, i) => ({ id: `x-${i}`, service: 'x', address: `10.1.0.${i + 1}`, port: 80 })));
  const tight = createConsulSource(parseConsulArg(`${small.url}?maxPayload=2Ki&syncTimeout=300ms`), FAST);
  t.teardown(() => tight.close());
  const mesh2 = createRegistryMesh();
  mesh2.attach(tight);
  await tight.ready;
  await waitFor('the payload limit', () => tight.status().errors.some((e) => e.code === 'E8002'));
  t.match(tight.status().errors[0]?.message, /larger than the limit of 2048 bytes/);
  t.equal(mesh2.store.count('Service'), 0, 'nothing from the oversized answer');
});

t.test('filters, loop prevention and name mapping', async (t) => {
  const { consul, source, mesh } = await setup(t, '&namespace=registry&service=shop-*&service=Order_Service&tag=prod&meta=zone:a&excludeIpRange=10.9.0.0/16');
  consul.register({ id: 'o-1', service: 'Order_Service', serviceAddress: '10.0.0.1', port: 80, tags: ['prod'], meta: { zone: 'a' } });
  consul.register({ id: 's-1', service: 'shop-cart', serviceAddress: '10.0.0.2', port: 80, tags: ['prod'], meta: { zone: 'a' } });
  consul.register({ id: 's-2', service: 'shop-cart', serviceAddress: '10.0.0.3', port: 80, tags: ['dev'], meta: { zone: 'a' } });
  consul.register({ id: 's-3', service: 'shop-cart', serviceAddress: '10.0.0.4', port: 80, tags: ['prod'], meta: { zone: 'b' } });
  consul.register({ id: 's-4', service: 'shop-cart', serviceAddress: '10.9.0.5', port: 80, tags: ['prod'], meta: { zone: 'a' } });
  consul.register({ id: 'own', service: 'shop-cart', serviceAddress: '10.0.0.6', port: 80, tags: ['prod'], meta: { zone: 'a', fsm_connector_service_cluster_set: 'local.default.default.default' } });
  consul.register({ id: 'u-1', service: 'users', serviceAddress: '10.0.0.7', port: 80, tags: ['prod'], meta: { zone: 'a' } });
  consul.register({ id: 'h-1', service: 'shop-host', serviceAddress: 'shop.example.com', port: 80, tags: ['prod'], meta: { zone: 'a' } });
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('registry/shop-cart|80'), ['10.0.0.2:80'], 'tag, metadata, IP range and our own registrations filter instances');
  t.same(mesh.endpoints('registry/order-service|80'), ['10.0.0.1:80'], 'Order_Service is order-service, as FSM maps it');
  t.equal(mesh.store.get('Service', 'registry', 'users'), undefined, 'services outside the name filter stay out');
  t.same(source.status().names, { Order_Service: 'order-service' }, 'the mapping is in the status (debug output)');
  t.equal(mesh.store.get('Service', 'registry', 'order-service')?.metadata.annotations?.['flomesh.io/cloud-service-inherited-from'], 'Order_Service');
  const skipped = mesh.store.errors().find((e) => e.code === 'E8003');
  t.match(skipped?.reason, /address "shop.example.com" is not an IP address/, 'an instance without an IP address is reported');
});

t.test('datacenter and ACL token', async (t) => {
  const consul = await createConsulStandIn({ token: 'tok', datacenter: 'east' });
  t.teardown(() => consul.close());
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.11', port: 8080 });
  const good = createConsulSource(parseConsulArg(`${consul.url}?dc=east&token=tok`), FAST);
  t.teardown(() => good.close());
  const mesh = createRegistryMesh();
  mesh.attach(good);
  await good.ready;
  t.same(mesh.endpoints('default/web|8080'), ['10.0.0.11:8080']);
  const bad = createConsulSource(parseConsulArg(`${consul.url}?dc=east&token=wrong&syncTimeout=200ms`), FAST);
  t.teardown(() => bad.close());
  const mesh2 = createRegistryMesh();
  mesh2.attach(bad);
  await bad.ready;
  await waitFor('the refusal', () => bad.status().stale);
  t.match(bad.status().errors[0]?.message, /HTTP 403 ACL not found/);
  t.equal(bad.status().errors[0]?.code, 'E8001');
});

t.test('parse errors name the option', async (t) => {
  t.throws(() => parseConsulArg(''), /a URL is required/);
  t.throws(() => parseConsulArg('ftp://x'), /must start with http/);
  t.throws(() => parseConsulArg('http://x:8500?namespace=Bad_NS'), /option "namespace": "Bad_NS" is not a namespace name/);
  t.throws(() => parseConsulArg('http://x:8500?wait=20m'), /option "wait": at most 10m/);
  t.throws(() => parseConsulArg('http://x:8500?bogus=1'), /unknown option "bogus"/);
  t.throws(() => parseConsulArg('http://x:8500?ipRange=10.0.0.0'), /option "ipRange": "10.0.0.0" is not a CIDR/);
  t.throws(() => parseConsulArg('http://x:8500?meta=novalue'), /option "meta": "novalue" is not key:value/);
  const c = parseConsulArg('http://user:pw@x:8500?dc=dc2&sync=true&syncTag=mesh');
  t.equal(c.name, 'consul:http://x:8500', 'credentials stay out of the name');
  t.equal(c.datacenter, 'dc2');
  t.same(c.sync?.tags, ['mesh']);
});

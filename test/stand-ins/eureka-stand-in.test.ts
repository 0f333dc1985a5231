import t from 'tap';
import { Eureka } from 'eureka-js-client';
import { createEurekaStandIn, type EurekaStandIn } from './eureka-stand-in.js';
import { waitFor } from '../support/wait-for.js';

// The Eureka stand-in is faithful to what `eureka-js-client` (a Eureka
// client for Node, with the Java client's register/renew/fetch/delta
// cycle) expects.

const quiet = { warn() {}, info() {}, debug() {}, error() {} };

function client(standIn: EurekaStandIn, opts: { app?: string; ip?: string; register?: boolean; delta?: boolean }): Eureka {
  return new Eureka({
    logger: quiet,
    shouldUseDelta: opts.delta ?? false,
    instance: {
      app: opts.app ?? 'ORDERS',
      instanceId: `${opts.ip ?? '10.0.0.1'}:orders:8080`,
      hostName: opts.ip ?? '10.0.0.1',
      ipAddr: opts.ip ?? '10.0.0.1',
      port: { $: 8080, '@enabled': true },
      vipAddress: 'orders',
      statusPageUrl: `http://${opts.ip ?? '10.0.0.1'}:8080/info`,
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      metadata: { zone: 'a' },
    },
    eureka: {
      host: '127.0.0.1',
      port: standIn.http.port,
      servicePath: '/eureka/apps/',
      maxRetries: 0,
      heartbeatInterval: 100,
      registryFetchInterval: 100,
      registerWithEureka: opts.register ?? true,
      fetchRegistry: true,
    },
  } as never);
}

const start = (c: Eureka) => new Promise<void>((resolve, reject) => c.start((err: unknown) => (err ? reject(err) : resolve())));
const stop = (c: Eureka) => new Promise<void>((resolve) => c.stop(() => resolve()));

t.test('register, renew, fetch and cancel, driven by eureka-js-client', async (t) => {
  const standIn = await createEurekaStandIn();
  t.teardown(() => standIn.close());
  const a = client(standIn, { ip: '10.0.0.1' });
  await start(a);
  t.teardown(() => stop(a));
  const instances = standIn.instances('ORDERS');
  t.equal(instances.length, 1, 'the client registered');
  t.match(instances[0], { app: 'ORDERS', ipAddr: '10.0.0.1', status: 'UP', port: { $: 8080, '@enabled': 'true' }, vipAddress: 'orders', metadata: { zone: 'a' } });

  await waitFor('heartbeats', () => (standIn.http.requests.get('PUT /eureka/apps/ORDERS/10.0.0.1:orders:8080') ?? 0) >= 2);

  const reader = client(standIn, { register: false });
  await start(reader);
  t.teardown(() => stop(reader));
  const seen = reader.getInstancesByAppId('ORDERS') as { ipAddr: string; port: { $: number } }[];
  t.same(seen.map((i) => [i.ipAddr, i.port.$]), [['10.0.0.1', 8080]], 'another client reads it from the full registry');
  t.equal((reader.getInstancesByVipAddress('orders') as unknown[]).length, 1, 'by VIP address too');

  standIn.cancel('ORDERS', '10.0.0.1:orders:8080');
  await waitFor('the client to register again after a 404 heartbeat', () => standIn.instances('ORDERS').length === 1);

  await stop(a);
  t.equal(standIn.instances('ORDERS').length, 0, 'stop() cancels the registration');
});

t.test('deltas: a delta-fetching client follows additions, status changes and removals', async (t) => {
  const standIn = await createEurekaStandIn();
  t.teardown(() => standIn.close());
  standIn.register('ORDERS', { instanceId: 'o-1', ipAddr: '10.0.0.1', port: 8080, vipAddress: 'orders' });
  const reader = client(standIn, { register: false, delta: true });
  await start(reader);
  t.teardown(() => stop(reader));
  const ips = () => (reader.getInstancesByAppId('ORDERS') as { ipAddr: string }[]).map((i) => i.ipAddr).sort();
  t.same(ips(), ['10.0.0.1']);
  standIn.register('ORDERS', { instanceId: 'o-2', ipAddr: '10.0.0.2', port: 8080, vipAddress: 'orders' });
  await waitFor('the delta to add o-2', () => ips().length === 2);
  t.ok((standIn.http.requests.get('GET /eureka/apps/delta') ?? 0) >= 1, 'through /apps/delta');
  standIn.cancel('ORDERS', 'o-1');
  await waitFor('the delta to remove o-1', () => ips().join() === '10.0.0.2');
});

t.test('the registry answers carry Eureka’s reconcile hash', async (t) => {
  const standIn = await createEurekaStandIn();
  t.teardown(() => standIn.close());
  standIn.register('A', { instanceId: 'a-1', ipAddr: '10.0.0.1', port: 80 });
  standIn.register('A', { instanceId: 'a-2', ipAddr: '10.0.0.2', port: 80 });
  standIn.register('B', { instanceId: 'b-1', ipAddr: '10.0.1.1', port: 80, status: 'DOWN' });
  const full = (await (await fetch(`${standIn.url}/apps`, { headers: { accept: 'application/json' } })).json()) as { applications: { apps__hashcode: string; application: { name: string; instance: unknown[] }[] } };
  t.equal(full.applications.apps__hashcode, 'DOWN_1_UP_2_', 'statuses in order, each with its count');
  t.same(full.applications.application.map((a) => [a.name, a.instance.length]), [['A', 2], ['B', 1]]);
  standIn.cancel('A', 'a-2');
  const delta = (await (await fetch(`${standIn.url}/apps/delta`)).json()) as { applications: { apps__hashcode: string; application: { instance: { actionType: string; instanceId: string }[] }[] } };
  t.equal(delta.applications.apps__hashcode, 'DOWN_1_UP_1_', 'the delta carries the hash of the whole registry after it');
  const actions = delta.applications.application.flatMap((a) => a.instance.map((i) => `${i.instanceId}:${i.actionType}`)).sort();
  t.same(actions, ['a-1:ADDED', 'a-2:DELETED', 'b-1:ADDED'], 'and each changed instance once, with its last action');
});

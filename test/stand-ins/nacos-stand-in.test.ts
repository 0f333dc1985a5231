import t, { type Test } from 'tap';
import { NacosNamingClient } from 'nacos';
import { createNacosStandIn, type NacosStandIn } from './nacos-stand-in.js';
import { waitFor } from '../support/wait-for.js';

// The Nacos stand-in is faithful to what the `nacos` npm client (Nacos's
// Node.js naming client, HTTP open API v1) expects: registration with
// heartbeats, instance lists with health, service lists, auth.

const quiet = { info() {}, warn() {}, error() {}, debug() {}, log() {} } as unknown as typeof console;

async function naming(t: Test, standIn: NacosStandIn, extra: Record<string, unknown> = {}): Promise<NacosNamingClient> {
  const client = new NacosNamingClient({ logger: quiet, serverList: `127.0.0.1:${standIn.http.port}`, namespace: 'public', ...extra });
  await client.ready();
  t.teardown(() => (client as unknown as { close(): Promise<void> }).close());
  return client;
}

t.test('register with heartbeats, list, select healthy, deregister', async (t) => {
  const standIn = await createNacosStandIn();
  t.teardown(() => standIn.close());
  const client = await naming(t, standIn);
  await client.registerInstance('orders', { ip: '10.0.0.1', port: 8080, metadata: { zone: 'a' } } as never);
  await client.registerInstance('orders', { ip: '10.0.0.2', port: 8080 } as never, 'SHOP');
  const all = await client.getAllInstances('orders', 'DEFAULT_GROUP', '', false);
  t.same(all.map((h) => [h.ip, h.port, h.healthy, h.enabled, h.ephemeral, h.serviceName]), [['10.0.0.1', 8080, true, true, true, 'DEFAULT_GROUP@@orders']], 'the group@@name form the client sends');
  t.same((all[0] as unknown as { metadata: unknown }).metadata, { zone: 'a' });
  t.equal((await client.getAllInstances('orders', 'SHOP', '', false)).length, 1, 'groups are separate');

  standIn.register({ service: 'orders', ip: '10.0.0.3', port: 8080, healthy: false });
  const healthy = await client.selectInstances('orders', 'DEFAULT_GROUP', '', true, false);
  t.same(healthy.map((h) => h.ip), ['10.0.0.1'], 'selectInstances(healthy) leaves out the unhealthy one');

  // The client's beat loop first beats 10 s after it starts, then every clientBeatInterval the server answers.
  const registered = standIn.instances('orders').find((i) => i.ip === '10.0.0.1')?.lastBeat ?? 0;
  await waitFor('a heartbeat', () => (standIn.instances('orders').find((i) => i.ip === '10.0.0.1')?.lastBeat ?? 0) > registered, 30_000);
  t.equal(standIn.instances('orders').find((i) => i.ip === '10.0.0.1')?.healthy, true, 'heartbeats renew the instance');

  const list = await client.getServerStatus();
  t.equal(list, 'UP', 'server status from /operator/metrics');
  await client.deregisterInstance('orders', { ip: '10.0.0.1', port: 8080 } as never);
  t.same(standIn.instances('orders').map((i) => i.ip), ['10.0.0.3'], 'deregistered');
});

t.test('an ephemeral instance without beats turns unhealthy, then is removed', async (t) => {
  const standIn = await createNacosStandIn({ heartbeatTimeoutMs: 200, deleteTimeoutMs: 500 });
  t.teardown(() => standIn.close());
  standIn.register({ service: 'x', ip: '10.0.0.9', port: 80, ephemeral: true });
  await waitFor('unhealthy', () => standIn.instances('x')[0]?.healthy === false);
  await waitFor('removed', () => standIn.instances('x').length === 0);
});

t.test('service list (v1 and v2) and instance list (v2)', async (t) => {
  const standIn = await createNacosStandIn();
  t.teardown(() => standIn.close());
  for (const s of ['a', 'b', 'c']) standIn.register({ service: s, ip: '10.0.0.1', port: 80 });
  const client = await naming(t, standIn);
  // The client exposes the service list on its naming proxy only.
  const proxy = (client as unknown as { _serverProxy: { getServiceList(no: number, size: number, group: string): Promise<unknown> } })._serverProxy;
  const page = await proxy.getServiceList(1, 2, 'DEFAULT_GROUP');
  t.same(page, { count: 3, data: ['a', 'b'] }, 'paged');
  const v2 = (await (await fetch(`${standIn.url}/nacos/v2/ns/service/list?pageNo=2&pageSize=2`)).json()) as unknown;
  t.same(v2, { code: 0, message: 'success', data: { count: 3, services: ['c'] } });
  const inst = (await (await fetch(`${standIn.url}/nacos/v2/ns/instance/list?serviceName=a&healthyOnly=true`)).json()) as { code: number; data: { hosts: { ip: string }[]; name: string } };
  t.equal(inst.code, 0);
  t.equal(inst.data.name, 'DEFAULT_GROUP@@a');
  t.same(inst.data.hosts.map((h) => h.ip), ['10.0.0.1']);
});

t.test('auth: the client logs in with username and password', async (t) => {
  const standIn = await createNacosStandIn({ user: { username: 'nacos', password: 'pw' } });
  t.teardown(() => standIn.close());
  const res = await fetch(`${standIn.url}/nacos/v1/ns/instance/list?serviceName=a`);
  t.equal(res.status, 403, 'anonymous requests are refused');
  const client = await naming(t, standIn, { username: 'nacos', password: 'pw' });
  await client.registerInstance('a', { ip: '10.0.0.1', port: 80 } as never);
  t.equal(standIn.instances('a').length, 1, 'authenticated requests pass');
  const login = (await (await fetch(`${standIn.url}/nacos/v1/auth/login`, { method: 'POST', body: new URLSearchParams({ username: 'nacos', password: 'pw' }) })).json()) as { accessToken: string };
  const withToken = await fetch(`${standIn.url}/nacos/v1/ns/instance/list?serviceName=a&accessToken=${login.accessToken}`);
  t.equal(withToken.status, 200, 'an access token from /auth/login works too');
});

import t from 'tap';
import Consul from 'consul';
import { createConsulStandIn } from './consul-stand-in.js';
import { waitFor } from '../support/wait-for.js';

// The Consul stand-in is faithful to what the `consul` npm client (the
// registry's own JavaScript client) expects: registrations through the
// catalog and agent APIs are read back by catalog and health queries, and
// the client's blocking-query watch sees changes through X-Consul-Index.

t.test('catalog and health APIs, driven by the consul client', async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });

  await consul.catalog.register({
    node: 'vm-1',
    address: '10.0.0.1',
    service: { id: 'web-1', service: 'web', address: '10.0.0.11', port: 8080, tags: ['v1'], meta: { version: '1' } },
    check: { checkid: 'service:web-1', name: 'web alive', status: 'passing', serviceid: 'web-1' },
  } as never);
  await consul.catalog.register({
    node: 'vm-2',
    address: '10.0.0.2',
    service: { id: 'web-2', service: 'web', port: 8080, tags: ['v2'] },
    check: { checkid: 'service:web-2', name: 'web alive', status: 'critical', serviceid: 'web-2' },
  } as never);

  const services = (await consul.catalog.service.list()) as Record<string, string[]>;
  t.same(services, { web: ['v1', 'v2'] }, 'catalog.service.list names each service with its tags');

  const nodes = (await consul.catalog.service.nodes('web')) as { Node: string; ServiceID: string; ServiceAddress: string; ServicePort: number; Address: string }[];
  t.same(nodes.map((n) => [n.Node, n.ServiceID, n.ServiceAddress, n.ServicePort, n.Address]), [
    ['vm-1', 'web-1', '10.0.0.11', 8080, '10.0.0.1'],
    ['vm-2', 'web-2', '', 8080, '10.0.0.2'],
  ], 'catalog.service.nodes lists every instance with node and service addresses');

  const all = (await consul.health.service({ service: 'web' })) as { Service: { ID: string }; Checks: { Status: string }[] }[];
  t.equal(all.length, 2, 'health.service lists both instances');
  const passing = (await consul.health.service({ service: 'web', passing: true })) as { Service: { ID: string; Meta: Record<string, string> } }[];
  t.same(passing.map((e) => e.Service.ID), ['web-1'], 'passing=true leaves out the instance whose check is critical');
  t.same(passing[0]?.Service.Meta, { version: '1' }, 'with its metadata');
  const tagged = (await consul.health.service({ service: 'web', tag: 'v2' })) as { Service: { ID: string } }[];
  t.same(tagged.map((e) => e.Service.ID), ['web-2'], 'tag filters instances');

  await consul.catalog.deregister({ node: 'vm-2', serviceid: 'web-2' } as never);
  const after = (await consul.health.service({ service: 'web' })) as unknown[];
  t.equal(after.length, 1, 'catalog.deregister removes the instance');
  await consul.catalog.deregister({ node: 'vm-1' } as never);
  t.same(await consul.catalog.service.list(), {}, 'deregistering a node removes its services');
});

t.test('agent registration with a TTL check, passed by the client', async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });
  await consul.agent.service.register({ id: 'api-1', name: 'api', address: '10.1.0.1', port: 9000, check: { ttl: '30s' } } as never);
  t.same(await consul.health.service({ service: 'api', passing: true }), [], 'a TTL check starts critical');
  await consul.agent.check.pass('service:api-1');
  const passing = (await consul.health.service({ service: 'api', passing: true })) as { Service: { ID: string } }[];
  t.same(passing.map((e) => e.Service.ID), ['api-1'], 'and passes once the client passes it');
  await consul.agent.service.deregister('api-1');
  t.same(await consul.catalog.service.list(), {}, 'agent deregistration removes it');
});

t.test("blocking queries: the client's watch sees each change through X-Consul-Index", async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });
  const seen: string[][] = [];
  const watch = consul.watch({ method: consul.health.service, options: { service: 'db', passing: true, wait: '30s' } as never });
  t.teardown(() => watch.end());
  watch.on('change', (data: { Service: { ID: string } }[]) => seen.push(data.map((e) => e.Service.ID)));
  watch.on('error', (err: Error) => t.fail(`watch error: ${err.message}`));
  await waitFor('the first answer', () => seen.length === 1);
  t.same(seen[0], [], 'first answer: no instance');
  await waitFor('the watch to block', () => standIn.waiting() === 1);

  standIn.register({ id: 'db-1', service: 'db', serviceAddress: '10.2.0.1', port: 5432 });
  await waitFor('the registration', () => seen.length === 2);
  t.same(seen[1], ['db-1'], 'a registration wakes the blocked query');
  standIn.setStatus('db-1', 'critical');
  await waitFor('the health change', () => seen.length === 3);
  t.same(seen[2], [], 'a check turning critical wakes it too');

  const before = standIn.index();
  standIn.register({ id: 'other-1', service: 'other', port: 1 });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(seen.length, 3, 'a change to another service does not wake this query');
  t.ok(standIn.index() > before, 'although the Raft index moved');
});

t.test('a blocking query answers after its wait with the same index', async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  const first = await fetch(`${standIn.url}/v1/catalog/services`);
  const index = first.headers.get('x-consul-index');
  t.ok(Number(index) > 0, 'answers carry a positive X-Consul-Index');
  const started = Date.now();
  const res = await fetch(`${standIn.url}/v1/catalog/services?index=${index}&wait=300ms`);
  t.ok(Date.now() - started >= 250, 'held for about the wait');
  t.equal(res.headers.get('x-consul-index'), index, 'and answered with the unchanged index');
  t.equal(res.headers.get('x-consul-knownleader'), 'true');
});

t.test('datacenters and ACL tokens', async (t) => {
  const standIn = await createConsulStandIn({ token: 's3cret', datacenter: 'east' });
  t.teardown(() => standIn.close());
  const anonymous = new Consul({ host: '127.0.0.1', port: standIn.http.port });
  await t.rejects(anonymous.catalog.service.list(), { message: /ACL not found/ }, 'no token: 403 ACL not found');
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port, defaults: { token: 's3cret' } });
  t.same(await consul.catalog.service.list(), {}, 'with the token');
  t.same(await consul.catalog.service.list({ dc: 'east' } as never), {}, 'its own datacenter');
  await t.rejects(consul.catalog.service.list({ dc: 'west' } as never), { message: /No path to datacenter/ }, 'another datacenter is unknown');
});

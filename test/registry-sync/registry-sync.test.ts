/**
 * Mesh services registered into Consul, Eureka and Nacos, checked through
 * each registry's own client library against its stand-in: they appear,
 * carry their origin, are renewed, disappear when deleted, and a service
 * that came from the registry is never registered back (nor read back by
 * this mesh's source).
 */
import t, { type Test } from 'tap';
import Consul from 'consul';
import { Eureka } from 'eureka-js-client';
import { NacosNamingClient } from 'nacos';
import { createModelStore, type ModelStore } from '../../src/model/store.js';
import type { MeshObject } from '../../src/model/types.js';
import { createRegistrySync, type RegistrySync } from '../../src/registry-sync/registry-sync.js';
import { createConsulSource } from '../../src/sources/consul/scheme.js';
import { defaultSourceRegistry } from '../../src/sources/schemes.js';
import type { SourceEvent, SourceProblem } from '../../src/model/source-events.js';
import { createConsulStandIn } from '../stand-ins/consul-stand-in.js';
import { createEurekaStandIn } from '../stand-ins/eureka-stand-in.js';
import { createNacosStandIn } from '../stand-ins/nacos-stand-in.js';
import { waitFor } from '../support/wait-for.js';

const bookstore: MeshObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'flomesh.io/monitored-by': 'fsm' } } },
  {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'bookstore', namespace: 'shop', annotations: { 'flomesh.io/service-meta-team': 'books', 'flomesh.io/service-tags': 'v1' } },
    spec: { selector: { app: 'bookstore' }, ports: [{ name: 'http', port: 80, targetPort: 14001, appProtocol: 'http' }] },
  },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bookstore-1', namespace: 'shop', labels: { app: 'bookstore' } }, spec: { containers: [{ name: 'b' }] }, status: { podIP: '10.244.1.10' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bookstore-2', namespace: 'shop', labels: { app: 'bookstore' } }, spec: { containers: [{ name: 'b' }] }, status: { podIP: '10.244.1.11' } },
  {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'opted-out', namespace: 'shop', annotations: { 'flomesh.io/service-sync-k8s-to-cloud': 'false' } },
    spec: { selector: { app: 'bookstore' }, ports: [{ port: 81 }] },
  },
  {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'from-registry', namespace: 'shop', labels: { 'fsm-connector-cloud-sourced-service': 'true' } },
    spec: { clusterIP: 'None', ports: [{ name: 'http8080', port: 8080, targetPort: 8080 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'from-registry-http8080', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'from-registry' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ name: 'http8080', port: 8080 }],
  },
];

function setup(t: Test, text: string): { store: ModelStore; sync: RegistrySync; problems: Map<string, readonly SourceProblem[]>; apply: (events: readonly SourceEvent[]) => void } {
  const store = createModelStore();
  store.apply(bookstore.map((object) => ({ type: 'upsert' as const, object })));
  const problems = new Map<string, readonly SourceProblem[]>();
  const sync = createRegistrySync({ view: store, registrant: 'fsm-control-plane/fsm', report: (s, p) => problems.set(s, p), debounceMs: 10 });
  t.teardown(() => sync.close());
  sync.setTargets([defaultSourceRegistry().parse(text)]);
  // As the controller does: the sync hears of every batch the model applied.
  const apply = (events: readonly SourceEvent[]) => {
    store.apply(events);
    sync.changed();
  };
  return { store, sync, problems, apply };
}

const deleteBookstore = (apply: (events: readonly SourceEvent[]) => void) => apply([{ type: 'delete', object: bookstore[1] as MeshObject }]);

t.test('Consul: catalog entries with origin metadata, read back by the consul client; never read back by the source', async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  const { apply, sync } = setup(t, `consul:${standIn.url}?sync=true&syncTag=mesh&syncInterval=200ms`);
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });
  type Entry = { Service: { ID: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string> }; Checks: { Status: string }[] };
  const entries = async (name: string) => (await consul.health.service({ service: name, passing: true })) as Entry[];
  await waitFor('the registration', async () => (await entries('bookstore')).length === 2);
  const [first] = await entries('bookstore');
  t.match(first?.Service, {
    ID: 'bookstore-10.244.1.10-14001-local.default.default.default', Address: '10.244.1.10', Port: 14001,
    Tags: ['mesh', 'v1', 'flomesh_cluster_id=local.default.default.default'],
    Meta: { team: 'books', fsm_connector_service_cluster_set: 'local.default.default.default', fsm_connector_service_connector_uid: 'fsm-control-plane/fsm', fsm_connector_service_k8s_ns: 'shop' },
  }, 'at the target port, with FSM origin metadata (underscored for Consul) and tags');
  t.same(Object.keys((await consul.catalog.service.list()) as object).sort(), ['bookstore'], 'the opted-out and the registry-sourced services are not registered');

  const source = createConsulSource(defaultSourceRegistry().parse(`consul:${standIn.url}?wait=1s`).config as never);
  t.teardown(() => source.close());
  const read = createModelStore();
  source.start({ onEvents: (e) => read.apply(e) });
  await source.ready;
  t.equal(read.count('Service'), 0, 'our own registrations are not read back');

  deleteBookstore(apply);
  await waitFor('the deregistration', async () => (await entries('bookstore')).length === 0);
  t.equal(sync.status()[0]?.registered, 0);
});

t.test('Consul: what an earlier run left is cleaned up; a removed target deregisters', async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  standIn.register({ node: 'local.default.default.default', address: '127.0.0.1', id: 'stale-1', service: 'gone', serviceAddress: '10.9.9.9', port: 1, meta: { fsm_connector_service_cluster_set: 'local.default.default.default' } });
  standIn.register({ node: 'local.default.default.default', address: '127.0.0.1', id: 'theirs', service: 'other', serviceAddress: '10.9.9.8', port: 1 });
  const { sync } = setup(t, `consul:${standIn.url}?sync=true`);
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });
  await waitFor('cleanup', async () => !('gone' in ((await consul.catalog.service.list()) as object)));
  t.ok('other' in ((await consul.catalog.service.list()) as object), 'entries of others on the node stay');
  sync.setTargets([]);
  await waitFor('deregistered on removal', async () => !('bookstore' in ((await consul.catalog.service.list()) as object)));
});

t.test('Eureka: instances with leases renewed by heartbeats, read by eureka-js-client', async (t) => {
  const standIn = await createEurekaStandIn();
  t.teardown(() => standIn.close());
  const { apply } = setup(t, `eureka:${standIn.url}?sync=true&heartbeat=300ms&syncInterval=200ms`);
  const reader = new Eureka({
    logger: { warn() {}, info() {}, debug() {}, error() {} },
    eureka: { host: '127.0.0.1', port: standIn.http.port, servicePath: '/eureka/apps/', registerWithEureka: false, fetchRegistry: true, registryFetchInterval: 100, maxRetries: 0 },
  } as never);
  await new Promise<void>((resolve) => reader.start(() => resolve()));
  t.teardown(() => new Promise<void>((resolve) => reader.stop(() => resolve())));
  const ips = () => (reader.getInstancesByVipAddress('bookstore') as { ipAddr: string; port: { $: number }; metadata: Record<string, string> }[]).map((i) => `${i.ipAddr}:${i.port.$}`).sort();
  await waitFor('the registration', () => ips().length === 2);
  t.same(ips(), ['10.244.1.10:14001', '10.244.1.11:14001']);
  t.equal((reader.getInstancesByVipAddress('bookstore')[0] as { metadata: Record<string, string> }).metadata['fsm.connector.service.cluster.set'], 'local.default.default.default');
  // The lease is three heartbeats (about 1 s); it outlives several of them.
  await new Promise((r) => setTimeout(r, 2000));
  t.equal(standIn.instances('BOOKSTORE').length, 2, 'heartbeats keep the leases');
  standIn.cancel('BOOKSTORE', 'bookstore-10.244.1.10-14001-local.default.default.default');
  await waitFor('registered again after a 404 heartbeat', () => standIn.instances('BOOKSTORE').length === 2);
  deleteBookstore(apply);
  await waitFor('the deregistration', () => ips().length === 0);
});

t.test('Nacos: ephemeral instances kept healthy by beats, read by the nacos client', async (t) => {
  const standIn = await createNacosStandIn({ heartbeatTimeoutMs: 1000, deleteTimeoutMs: 2000 });
  t.teardown(() => standIn.close());
  const { apply } = setup(t, `nacos:${standIn.url}?sync=true&heartbeat=300ms&syncInterval=200ms&syncGroup=MESH`);
  const client = new NacosNamingClient({ logger: { info() {}, warn() {}, error() {}, debug() {}, log() {} } as unknown as typeof console, serverList: `127.0.0.1:${standIn.http.port}`, namespace: 'public' });
  await client.ready();
  t.teardown(() => (client as unknown as { close(): Promise<void> }).close());
  const healthy = async () => (await client.selectInstances('bookstore', 'MESH', '', true, false)).map((h) => `${h.ip}:${h.port}`).sort();
  await waitFor('the registration', async () => (await healthy()).length === 2);
  t.same(await healthy(), ['10.244.1.10:14001', '10.244.1.11:14001']);
  await new Promise((r) => setTimeout(r, 2500));
  t.equal((await healthy()).length, 2, 'beats keep them healthy past the timeouts');
  deleteBookstore(apply);
  // The client keeps its last list when a query answers no host (its push-empty protection), so the
  // empty answer is read through its naming proxy.
  const proxy = (client as unknown as { _serverProxy: { queryList(name: string, clusters: string, udpPort: number, healthyOnly: boolean): Promise<string> } })._serverProxy;
  await waitFor('the deregistration', async () => (JSON.parse(await proxy.queryList('MESH@@bookstore', '', 0, false)) as { hosts: unknown[] }).hosts.length === 0);
});

t.test('a registry that refuses is reported (E8005) and retried', async (t) => {
  const standIn = await createConsulStandIn();
  t.teardown(() => standIn.close());
  standIn.http.fault = 'error';
  const { problems } = setup(t, `consul:${standIn.url}?sync=true&syncInterval=100ms`);
  await waitFor('the problem', () => (problems.get(`sync:consul:${standIn.url}`)?.length ?? 0) > 0);
  t.match(problems.get(`sync:consul:${standIn.url}`)?.[0], { code: 'E8005', reason: /HTTP 500/ });
  standIn.http.fault = 'none';
  await waitFor('recovery', () => problems.get(`sync:consul:${standIn.url}`)?.length === 0);
  const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });
  t.ok('bookstore' in ((await consul.catalog.service.list()) as object));
});

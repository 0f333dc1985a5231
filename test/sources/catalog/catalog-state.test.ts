import t from 'tap';
import { createCatalogState } from '../../../src/sources/catalog/catalog-state.js';
import { createCatalogFilter } from '../../../src/sources/catalog/filters.js';
import type { CatalogInstance } from '../../../src/sources/catalog/instance.js';
import { RegistryError } from '../../../src/sources/catalog/registry-error.js';
import type { SourceEvent, SourceProblem } from '../../../src/model/source-events.js';
import type { EndpointSlice, Service } from '../../../src/model/types.js';
import { silentLogger } from '../../../src/shared/logger.js';

const inst = (service: string, address: string, port: number, protocol = 'http', metadata: Record<string, string> = {}): CatalogInstance => ({ service, address, port, protocol, metadata });

function harness(maxInstances = 100) {
  const batches: SourceEvent[][] = [];
  const reports: SourceProblem[][] = [];
  let synced = 0;
  let now = 1_700_000_000_000;
  const state = createCatalogState({
    provider: 'eureka',
    sourceName: 'eureka:http://r',
    namespace: 'reg',
    filter: createCatalogFilter({ services: [], excludeServices: [], metadata: [], excludeMetadata: [], tags: [], ipRanges: [], excludeIpRanges: [], clusterSet: 'cs' }),
    maxInstances,
    emit: (e) => batches.push(e),
    report: (p) => reports.push(p),
    now: () => now,
    logger: silentLogger,
    onSynced: () => synced++,
  });
  return { state, batches, reports, synced: () => synced, tick: (ms: number) => (now += ms) };
}

t.test('objects: a headless Service with a port per instance port, a slice per port and family', async (t) => {
  const h = harness();
  h.state.replaceAll(new Map([['API', [inst('API', '10.0.0.2', 8080), inst('API', '10.0.0.1', 8080), inst('API', 'fd00::1', 8080), inst('API', '10.0.0.3', 9090, 'grpc')]]]));
  t.equal(h.synced(), 1);
  const objects = h.batches[0]?.map((e) => e.object) ?? [];
  const svc = objects[0] as Service;
  t.equal(svc.metadata.name, 'api');
  t.same(svc.spec, {
    clusterIP: 'None',
    ports: [
      { name: 'http8080', port: 8080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' },
      { name: 'grpc9090', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'grpc' },
    ],
  });
  const slices = objects.slice(1) as EndpointSlice[];
  t.same(slices.map((s) => [s.metadata.name, s.addressType, s.endpoints?.map((e) => e.addresses[0])]), [
    ['api-http8080', 'IPv4', ['10.0.0.1', '10.0.0.2']],
    ['api-http8080-v6', 'IPv6', ['fd00::1']],
    ['api-grpc9090', 'IPv4', ['10.0.0.3']],
  ]);
  t.same(slices[0]?.metadata.labels?.['kubernetes.io/service-name'], 'api');
});

t.test('only changed objects are emitted; an unchanged answer emits nothing', async (t) => {
  const h = harness();
  h.state.replaceAll(new Map([['a', [inst('a', '10.0.0.1', 80)]], ['b', [inst('b', '10.0.1.1', 80)]]]));
  h.state.replaceAll(new Map([['a', [inst('a', '10.0.0.1', 80)]], ['b', [inst('b', '10.0.1.1', 80)]]]));
  t.equal(h.batches.length, 1, 'no batch for an identical answer');
  h.state.setService('b', [inst('b', '10.0.1.1', 80), inst('b', '10.0.1.2', 80)]);
  t.same(h.batches[1]?.map((e) => `${e.type} ${e.object.kind} ${e.object.metadata.name}`), ['upsert EndpointSlice b-http80'], 'one slice changed');
  h.state.replaceAll(new Map([['b', [inst('b', '10.0.1.1', 80)]]]));
  t.same(h.batches[2]?.map((e) => `${e.type} ${e.object.kind} ${e.object.metadata.name}`).sort(), [
    'delete EndpointSlice a-http80',
    'delete Service a',
    'upsert EndpointSlice b-http80',
  ], 'a complete answer without "a" removes it');
  h.state.setService('b', []);
  t.same(h.batches[3]?.map((e) => e.type), ['delete', 'delete'], 'an empty list removes the service');
  t.equal(h.state.status().services, 0);
});

t.test('failures mark the source stale without touching the model', async (t) => {
  const h = harness();
  h.state.replaceAll(new Map([['a', [inst('a', '10.0.0.1', 80)]]]));
  h.state.failed('main', new RegistryError('E8000', 'connect ECONNREFUSED'));
  h.tick(5000);
  h.state.failed('main', new RegistryError('E8000', 'connect ECONNREFUSED'));
  t.equal(h.batches.length, 1, 'no events');
  t.equal(h.reports.length, 1, 'one report while the error stays the same');
  t.same(h.reports[0]?.map((p) => [p.code, p.object]), [['E8000', 'eureka:http://r']]);
  t.match(h.reports[0]?.[0]?.reason, /connect ECONNREFUSED; keeping the 1 service\(s\) of the last good answer \(stale since 2023-11-14T22:13:20.000Z\)/);
  const st = h.state.status();
  t.equal(st.stale, true);
  t.equal(st.staleSince, '2023-11-14T22:13:20.000Z');
  h.state.succeeded('main');
  t.same(h.reports.at(-1), [], 'success clears the problem');
  t.equal(h.state.status().stale, false);
});

t.test('maxInstances refuses the whole answer', async (t) => {
  const h = harness(2);
  h.state.replaceAll(new Map([['a', [inst('a', '10.0.0.1', 80), inst('a', '10.0.0.2', 80)]]]));
  t.throws(() => h.state.replaceAll(new Map([['a', [inst('a', '10.0.0.1', 80), inst('a', '10.0.0.2', 80), inst('a', '10.0.0.3', 80)]]])), { code: 'E8002' });
  t.throws(() => h.state.setService('b', [inst('b', '10.0.1.1', 80)]), { message: /3 instances, more than maxInstances=2/ });
  t.equal(h.batches.length, 1, 'nothing applied');
  h.state.setService('a', [inst('a', '10.0.0.1', 80)]);
  h.state.setService('b', [inst('b', '10.0.1.1', 80)]);
  t.equal(h.state.status().registryInstances, 2, 'room again after a service shrank');
});

t.test('a colliding name appearing first in order takes the name over (E8004)', async (t) => {
  const h = harness();
  h.state.replaceAll(new Map([['order.service', [inst('order.service', '10.0.0.1', 80)]]]));
  t.equal(h.state.status().names['order.service'], 'order-service');
  h.state.setService('Order_Service', [inst('Order_Service', '10.0.0.2', 80)]);
  const names = h.state.status().names;
  t.equal(names['Order_Service'], 'order-service');
  t.match(names['order.service'], /^order-service-[0-9a-f]{8}$/);
  const last = h.batches.at(-1) ?? [];
  t.ok(last.findIndex((e) => e.type === 'delete') < last.findIndex((e) => e.type === 'upsert'), 'deletes come first in the batch');
  t.match(h.reports.at(-1)?.find((p) => p.code === 'E8004')?.reason, /"Order_Service" keeps it, "order.service" is named "order-service-/);
});

t.test('instances without an IP address or with a bad port are left out (E8003)', async (t) => {
  const h = harness();
  h.state.replaceAll(new Map([['a', [inst('a', 'host.example', 80), inst('a', '10.0.0.1', 0), inst('a', '10.0.0.2', 80)]]]));
  t.equal(h.state.status().instances, 1);
  t.match(h.reports.at(-1)?.[0], { code: 'E8003', reason: '2 instance(s) left out: address "host.example" is not an IP address' });
});

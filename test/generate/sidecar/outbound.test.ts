import t from 'tap';
import { generateSidecarConfig } from '../../../src/generate/sidecar/index.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, meshConfig, storeOf, UUID } from './fixtures/helpers.js';

// What bookbuyer's outbound says about bookstore (permissive mode).

/** Port 14001's outbound match (FSM merges a port's HTTP services into one) and the bookstore rule's target clusters. */
function port14001(objects: MeshObject[]) {
  const store = storeOf(objects);
  const proxy = store.proxyByUuid(UUID.bookbuyer);
  if (!proxy) throw new Error('no bookbuyer');
  const out = generateSidecarConfig(store, proxy);
  const matches = out.config.Outbound?.TrafficMatches?.['14001'] ?? [];
  const ranges = matches.flatMap((m) => Object.keys(m.DestinationIPRanges ?? {})).sort();
  const targets = matches.map((m) => m.HttpServiceRouteRules?.['bookstore.bookstore']?.RouteRules[0]?.TargetClusters).find((c) => c);
  return { ranges, targets, out };
}

const withoutClusterIP = (objects: MeshObject[], name: string) =>
  objects.map((o) => (o.kind === 'Service' && o.metadata.name === name ? { ...o, spec: { ...(o.spec as object), clusterIP: undefined } } : o));

t.test('a service without a cluster IP is reached at its endpoint IPs (FSM GetResolvableEndpointsForService)', async (t) => {
  // Before: an empty-but-present range list, which FSM's outbound script treats as "match nothing".
  // In domain mode only resolvable addresses count, so the endpoint IPs appear only through this rule.
  const { ranges } = port14001([...withoutClusterIP(fixture('mesh.yaml'), 'bookstore'), meshConfig({ traffic: { serviceAccessMode: 'domain' } })]);
  t.ok(ranges.includes('10.244.2.10/32') && ranges.includes('10.244.2.20/32'), 'the bookstore pods');
  t.notOk(ranges.includes('10.96.0.20/32'));
});

t.test('with a cluster IP: the cluster IP plus the endpoint IPs, except in domain mode', async (t) => {
  const mixed = port14001([...fixture('mesh.yaml'), meshConfig({})]).ranges;
  t.ok(['10.244.2.10/32', '10.244.2.20/32', '10.96.0.20/32'].every((r) => mixed.includes(r)), 'mixed: cluster and endpoint IPs');
  const domain = port14001([...fixture('mesh.yaml'), meshConfig({ traffic: { serviceAccessMode: 'domain' } })]).ranges;
  t.ok(domain.includes('10.96.0.20/32'), 'domain: the cluster IP');
  t.notOk(domain.some((r) => r.startsWith('10.244.')), 'domain: no endpoint IP');
});

const split = (weights: [string, number][]): MeshObject => ({
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  metadata: { name: 'bookstore-split', namespace: 'bookstore' },
  spec: { service: 'bookstore', backends: weights.map(([service, weight]) => ({ service, weight })) },
});

t.test('a weight-0 backend stays in TargetClusters with weight 0 (a failover target for FSM scripts)', async (t) => {
  const { targets, out } = port14001([...fixture('mesh.yaml'), meshConfig({}), split([['bookstore-v1', 100], ['bookstore-v2', 0]])]);
  t.same(out.problems, [], 'accepted');
  t.same(targets, { 'bookstore/bookstore-v1|14001': 100, 'bookstore/bookstore-v2|14001': 0 });
});

t.test('when every backend weighs 0, FSM makes them all accept-all', async (t) => {
  const { targets } = port14001([...fixture('mesh.yaml'), meshConfig({}), split([['bookstore-v1', 0], ['bookstore-v2', 0]])]);
  t.same(targets, { 'bookstore/bookstore-v1|14001': 100, 'bookstore/bookstore-v2|14001': 100 });
});

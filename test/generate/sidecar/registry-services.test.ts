/**
 * Registry-sourced services in the sidecar config: per-port endpoints and
 * FSM's host-name rules for cloud services (serviceAccessNames.cloud).
 */
import t from 'tap';
import { createSidecarConfigSet } from '../../../src/generate/sidecar/index.js';
import type { MeshObject } from '../../../src/model/types.js';
import { meshConfig, storeOf } from './fixtures/helpers.js';

const UUID = '11111111-2222-4333-8444-555555555555';
const client: MeshObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'flomesh.io/monitored-by': 'fsm' } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'app', labels: { 'fsm-proxy-uuid': UUID } }, spec: { serviceAccountName: 'c' }, status: { podIP: '10.244.0.9' } },
];
const registry: MeshObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'orders', namespace: 'reg', labels: { 'fsm-connector-cloud-sourced-service': 'true' }, annotations: { 'flomesh.io/cloud-service-inherited-from': 'ORDERS' } },
    spec: { clusterIP: 'None', ports: [{ name: 'http8080', port: 8080, targetPort: 8080, appProtocol: 'http' }, { name: 'http9090', port: 9090, targetPort: 9090, appProtocol: 'http' }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'orders-http8080', namespace: 'reg', labels: { 'kubernetes.io/service-name': 'orders' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.1'] }, { addresses: ['10.1.0.2'] }], ports: [{ name: 'http8080', port: 8080 }],
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'orders-http9090', namespace: 'reg', labels: { 'kubernetes.io/service-name': 'orders' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.3'] }], ports: [{ name: 'http9090', port: 9090 }],
  },
];

function outbound(extra: MeshObject[] = []) {
  const set = createSidecarConfigSet({ view: storeOf([...client, ...registry, ...extra]) });
  set.recompute();
  const out = set.get(UUID)?.config.Outbound;
  if (!out) throw new Error('no Outbound');
  return out;
}

t.test('each port of a registry service gets the endpoints serving that port', (t) => {
  const out = outbound();
  t.same(Object.keys(out.ClustersConfigs['reg/orders|8080']?.Endpoints ?? {}).sort(), ['10.1.0.1:8080', '10.1.0.2:8080']);
  t.same(Object.keys(out.ClustersConfigs['reg/orders|9090']?.Endpoints ?? {}), ['10.1.0.3:9090']);
  t.end();
});

const hostsOf = (out: ReturnType<typeof outbound>, port: number) =>
  Object.entries(out.TrafficMatches[String(port)]?.[0]?.HttpHostPort2Service ?? {}).filter(([, r]) => r.RuleName === 'orders.reg').map(([h]) => h).sort();

t.test('host names: cloud.withNamespace false leaves the bare name only (FSM GetHostnamesForService)', (t) => {
  const bare = hostsOf(outbound([meshConfig({ traffic: { serviceAccessNames: { mustWithNamespace: true, cloud: { withNamespace: false } } } })]), 8080);
  const ips = ['10.1.0.1', '10.1.0.1:8080', '10.1.0.2', '10.1.0.2:8080'];
  t.same(bare, ['orders', 'orders:8080', ...ips].sort(), 'svc and svc:port (plus the headless IPs in mixed mode)');
  const full = hostsOf(outbound([meshConfig({ traffic: { serviceAccessNames: { mustWithNamespace: true, withTrustDomain: false, cloud: { withNamespace: true } } } })]), 8080);
  t.same(full, ['orders.reg', 'orders.reg:8080', ...ips].sort(), 'withNamespace: the namespaced names as for any service');
  t.end();
});

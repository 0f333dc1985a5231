import t from 'tap';
import { generateSidecarConfig } from '../../../src/generate/sidecar/index.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, meshConfig, storeOf, UUID } from './fixtures/helpers.js';

// Port protocols as FSM's ServiceToMeshServices decides them, and UDP ports.

const dns: MeshObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'warehouse-ports', namespace: 'bookwarehouse' },
  spec: {
    selector: { app: 'bookwarehouse' },
    clusterIP: '10.96.0.99',
    ports: [
      { name: 'tcp-db', port: 5432, targetPort: 5432 },
      { name: 'grpc-api', port: 9000, targetPort: 9000 },
      { name: 'tcp-server-first-smtp', port: 25, targetPort: 25 },
      { name: 'tcp-but-http', port: 8081, targetPort: 8081, appProtocol: 'http' },
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, targetPort: 53, appProtocol: 'tcp' },
    ],
  },
};

function configs(objects: MeshObject[]) {
  const store = storeOf(objects);
  const of = (uuid: string) => generateSidecarConfig(store, store.proxyByUuid(uuid)!).config;
  return { buyer: of(UUID.bookbuyer), warehouse: of(UUID.bookwarehouse) };
}

t.test('appProtocol, else the port-name prefix, else http', async (t) => {
  const { buyer } = configs([...fixture('mesh.yaml'), dns, meshConfig({})]);
  const protocol = (key: string) => buyer.Outbound?.TrafficMatches?.[key]?.[0]?.Protocol;
  t.equal(protocol('5432'), 'tcp', 'tcp-db (before: http)');
  t.equal(protocol('9000'), 'grpc', 'grpc-api (before: http)');
  t.equal(protocol('25'), 'tcp', 'tcp-server-first-smtp is tcp-server-first, written tcp');
  t.equal(protocol('8081'), 'http', 'appProtocol wins over the name');
  t.equal(protocol('53'), 'tcp', 'the TCP port 53');
});

t.test('a UDP port gets its own match, keyed apart from the TCP port of the same number', async (t) => {
  const { buyer, warehouse } = configs([...fixture('mesh.yaml'), dns, meshConfig({})]);
  const out = buyer.Outbound?.TrafficMatches?.['53/udp']?.[0];
  t.match(out, { Port: 53, Protocol: 'udp', TcpServiceRouteRules: { TargetClusters: { 'bookwarehouse/warehouse-ports|53': 100 } } }, 'outbound (before: dropped)');
  t.match(warehouse.Inbound?.TrafficMatches?.['53/udp'], { Port: 53, Protocol: 'udp', TcpServiceRouteRules: { TargetClusters: { 'bookwarehouse/warehouse-ports|53|local': 100 } } }, 'inbound');
  t.equal(warehouse.Inbound?.TrafficMatches?.['53']?.Protocol, 'tcp', 'the TCP port keeps its own');
});

t.test('SMI mode: a UDP port is reachable only through a TrafficTarget with a UDPRoute', async (t) => {
  const smi = (rules: { kind: string; name: string }[]): MeshObject[] => [
    ...fixture('mesh.yaml'),
    dns,
    meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } }),
    { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'UDPRoute', metadata: { name: 'dns', namespace: 'bookwarehouse' }, spec: { matches: { ports: [53] } } },
    {
      apiVersion: 'access.smi-spec.io/v1alpha3',
      kind: 'TrafficTarget',
      metadata: { name: 'buyer-to-warehouse', namespace: 'bookwarehouse' },
      spec: { destination: { kind: 'ServiceAccount', name: 'bookwarehouse', namespace: 'bookwarehouse' }, sources: [{ kind: 'ServiceAccount', name: 'bookbuyer', namespace: 'bookbuyer' }], rules },
    },
  ];
  const denied = configs(smi([{ kind: 'TCPRoute', name: 'none' }])).warehouse;
  t.notOk(denied.Inbound?.TrafficMatches?.['53/udp']?.TcpServiceRouteRules, 'no UDPRoute: no route');
  const allowed = configs(smi([{ kind: 'UDPRoute', name: 'dns' }]));
  t.ok(allowed.warehouse.Inbound?.TrafficMatches?.['53/udp']?.TcpServiceRouteRules, 'the UDPRoute opens it (before: UDPRoute was ignored)');
  t.ok(allowed.buyer.Outbound?.TrafficMatches?.['53/udp'], 'and the source may send to it');
});

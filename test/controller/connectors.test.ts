import t from 'tap';
import { connectorSourceText } from '../../src/controller/connector-specs.js';
import { createConnectorManager, type ConnectorManager } from '../../src/controller/connectors.js';
import { createModelStore, type ModelStore } from '../../src/model/store.js';
import type { MeshObject } from '../../src/model/types.js';
import { defaultSourceRegistry } from '../../src/sources/schemes.js';
import type { SourceSpec } from '../../src/sources/scheme.js';
import type { SourceEvent } from '../../src/model/source-events.js';
import { createConsulStandIn } from '../stand-ins/consul-stand-in.js';
import { waitFor } from '../support/wait-for.js';

const consulConnector = (url: string, spec: Record<string, unknown> = {}): MeshObject => ({
  apiVersion: 'connector.flomesh.io/v1alpha1',
  kind: 'ConsulConnector',
  metadata: { name: 'consul', namespace: 'fsm-system' },
  spec: { httpAddr: url, deriveNamespace: 'consul-a', syncPeriod: '2s', syncToK8S: { enable: true }, syncFromK8S: { enable: false }, ...spec },
});

/** The manager fed with the changes of every batch applied, as the controller's pipeline does. */
function wire(store: ModelStore): { manager: ConnectorManager; specs: () => readonly SourceSpec[]; apply: (events: readonly SourceEvent[]) => void } {
  let specs: readonly SourceSpec[] = [];
  const apply = (events: readonly SourceEvent[]) => manager.apply(store.apply(events).changes);
  const manager: ConnectorManager = createConnectorManager({
    registry: defaultSourceRegistry(),
    context: { logger: { debug() {}, info() {}, warn() {}, error() {} }, meshName: 'fsm' },
    view: store,
    handlers: { onEvents: apply, onProblems: (scope, p) => store.setSourceProblems(scope, p) },
    onSpecs: (s) => (specs = s),
  });
  return { manager, specs: () => specs, apply };
}

const services = (store: ModelStore, ns: string) => store.list('Service', ns).map((s) => s.metadata.name);

t.test('a connector starts, reconfigures and stops its source at run time', async (t) => {
  const consul = await createConsulStandIn();
  t.teardown(() => consul.close());
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.1', port: 80 });
  const store = createModelStore();
  const { manager, specs, apply } = wire(store);
  t.teardown(() => manager.close());

  const host = consul.url.replace('http://', '');
  apply([{ type: 'upsert', object: consulConnector(host) }]);
  await waitFor('the connector source', () => services(store, 'consul-a').includes('web'));
  t.same(manager.status(), [{ connector: 'ConsulConnector fsm-system/consul', source: `consul:${consul.url}`, error: null }], 'httpAddr without a scheme is http');
  t.equal(specs().length, 1);

  apply([{ type: 'upsert', object: consulConnector(host, { deriveNamespace: 'consul-b' }) }]);
  await waitFor('the new namespace', () => services(store, 'consul-b').includes('web'));
  await waitFor('the old objects gone', () => services(store, 'consul-a').length === 0);
  t.equal(store.list('EndpointSlice', 'consul-a').length, 0, 'with their slices');
  t.equal(manager.sources().length, 1, 'one source per connector');

  apply([{ type: 'upsert', object: consulConnector('ftp://nope', { deriveNamespace: 'consul-b' }) }]);
  await manager.settled();
  const err = store.errors().find((e) => e.code === 'E8006');
  t.match(err, { object: 'ConsulConnector fsm-system/consul', field: 'spec', reason: /must start with http:\/\/ or https:\/\// }, 'a connector that cannot be a source is reported');
  t.same(services(store, 'consul-b'), ['web'], 'and the previous source keeps running');
  consul.register({ id: 'web-2', service: 'api', serviceAddress: '10.0.0.2', port: 80 });
  await waitFor('the old source still following', () => services(store, 'consul-b').includes('api'));

  apply([{ type: 'upsert', object: consulConnector(host, { deriveNamespace: 'consul-b', purge: true }) }]);
  await waitFor('purge', () => services(store, 'consul-b').length === 0);
  t.equal(store.errors().filter((e) => e.code === 'E8006').length, 0, 'the error cleared once the connector is valid');

  apply([{ type: 'upsert', object: consulConnector(host, { deriveNamespace: 'consul-b' }) }]);
  await waitFor('back', () => services(store, 'consul-b').length === 2);
  apply([{ type: 'delete', object: consulConnector(host) }]);
  await waitFor('deleted connector, deleted services', () => services(store, 'consul-b').length === 0);
  t.same(manager.status(), []);
  t.same(specs(), []);
});

t.test('connector fields as source options', async (t) => {
  const text = connectorSourceText(
    {
      apiVersion: 'connector.flomesh.io/v1alpha1',
      kind: 'NacosConnector',
      metadata: { name: 'n' },
      spec: {
        httpAddr: '10.1.1.1:8848',
        deriveNamespace: 'nacos',
        syncPeriod: '10s',
        auth: { username: 'u', password: 'p w', namespaceId: 'dev' },
        syncToK8S: { enable: true, groupSet: ['A', 'B'], clusterSet: ['C'], filterMetadatas: [{ key: 'zone', value: 'a' }], excludeIpRanges: ['10.9.0.0/16'] },
        syncFromK8S: { enable: true, defaultSync: false, allowK8sNamespaces: ['app'], denyK8sNamespaces: [''], addServicePrefix: 'k8s-', groupId: 'MESH', appendMetadatas: [{ key: 'from', value: 'mesh' }] },
      },
    },
    'c1.g.z.r',
  );
  const spec = defaultSourceRegistry().parse(text);
  t.match(spec.config, {
    name: 'nacos:http://10.1.1.1:8848/nacos',
    username: 'u',
    password: 'p w',
    namespace: 'nacos',
    namespaceId: 'dev',
    groups: ['A', 'B'],
    clusters: ['C'],
    intervalMs: 10_000,
    syncGroup: 'MESH',
    read: true,
    filters: { metadata: [['zone', 'a']], excludeIpRanges: ['10.9.0.0/16'], clusterSet: 'c1.g.z.r' },
    sync: { defaultSync: false, allowNamespaces: ['app'], denyNamespaces: [], prefix: 'k8s-', metadata: [['from', 'mesh']] },
  });
  const zk = defaultSourceRegistry().parse(connectorSourceText({
    apiVersion: 'connector.flomesh.io/v1alpha1', kind: 'ZookeeperConnector', metadata: { name: 'z' },
    spec: { httpAddr: '127.0.0.1:2181', deriveNamespace: 'dubbo', basePath: '/registry', category: 'providers', adaptor: 'dubbo', syncToK8S: { enable: true }, syncFromK8S: { enable: false } },
  }, 'x'));
  t.match(zk.config, { connect: '127.0.0.1:2181', root: '/registry', namespace: 'dubbo' });
});

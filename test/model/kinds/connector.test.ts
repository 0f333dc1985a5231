/** The connector kinds are validated like every other kind (FSM's required fields, typed members, CIDRs with E2002). */
import t from 'tap';
import { createModelStore } from '../../../src/model/store.js';
import type { MeshObject } from '../../../src/model/types.js';

const connector = (kind: string, spec: Record<string, unknown>): MeshObject => ({ apiVersion: 'connector.flomesh.io/v1alpha1', kind, metadata: { name: 'c', namespace: 'fsm-system' }, spec });
const base = { httpAddr: '127.0.0.1:8500', deriveNamespace: 'consul', syncToK8S: { enable: true }, syncFromK8S: { enable: false } };

t.test('accepted and refused connector objects', (t) => {
  const store = createModelStore();
  const ok = store.apply([{ type: 'upsert', object: connector('ConsulConnector', { ...base, purge: false, syncPeriod: '5s', replicas: 1, leaderElection: true }) }]);
  t.same(ok.errors, [], 'a ConsulConnector with FSM fields we ignore is accepted');
  t.equal(store.list('ConsulConnector').length, 1, 'and observed although fsm-system is not meshed');

  const refused = (kind: string, spec: Record<string, unknown>) => store.apply([{ type: 'upsert', object: connector(kind, spec) }]).errors.map((e) => `${e.field}: ${e.reason}${e.code ? ` (${e.code})` : ''}`);
  t.match(refused('EurekaConnector', { deriveNamespace: 'x', syncToK8S: { enable: true }, syncFromK8S: { enable: false } }), [/^spec.httpAddr: Required value/]);
  t.match(refused('NacosConnector', { ...base, deriveNamespace: 'Bad_NS' }), [/^spec.deriveNamespace: /]);
  t.match(refused('ConsulConnector', { ...base, syncToK8S: { enable: true, filterIpRanges: ['10.0.0.0'] } }), [/^spec.syncToK8S.filterIpRanges\[0\]: .*\(E2002\)$/]);
  t.match(refused('ZookeeperConnector', base), [/spec.adaptor: Required value/, /spec.basePath: Required value/, /spec.category: Required value/], "FSM's required ZooKeeper fields");
  t.match(refused('ConsulConnector', { ...base, syncPeriod: 'soon' }), [/^spec.syncPeriod: /]);
  t.end();
});

import t from 'tap';
import { apiItem } from '../../../src/sources/kubernetes/api-item.js';

const pods = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };

t.test('apiVersion and kind come from the watched kind (list items of built-in types have neither)', async (t) => {
  t.same(apiItem({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n' } }, pods), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n' } });
  const qualified = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute.gateway.networking.k8s.io', apiKind: 'TCPRoute', plural: 'tcproutes', namespaced: true };
  t.equal(apiItem({ apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'r' } }, qualified).kind, 'TCPRoute.gateway.networking.k8s.io', "the model's name for a group-qualified kind");
});

t.test('metadata fields of the wrong type are left out', async (t) => {
  const item = apiItem({ metadata: { name: 7, namespace: ['x'], uid: 'u', resourceVersion: '9', generation: '2', labels: 'a=b', annotations: { k: 'v' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'rs' }] } }, pods);
  t.same(item.metadata, { name: '', uid: 'u', resourceVersion: '9', annotations: { k: 'v' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'rs' }] });
  t.same(apiItem({}, pods).metadata, { name: '' }, 'no metadata at all');
});

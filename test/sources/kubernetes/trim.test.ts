import t from 'tap';
import { trimObject } from '../../../src/sources/kubernetes/trim.js';

const meta = {
  name: 'x',
  namespace: 'ns',
  uid: 'u1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2024-01-01T00:00:00Z',
  labels: { app: 'x' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' },
  managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
};

t.test('metadata keeps identity, generation (status reports it), labels and annotations but drops server bookkeeping', async (t) => {
  const out = trimObject({ metadata: meta, spec: { service: 's' } }, { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', plural: 'trafficsplits', namespaced: true });
  t.same(out, {
    apiVersion: 'split.smi-spec.io/v1alpha4',
    kind: 'TrafficSplit',
    metadata: { name: 'x', namespace: 'ns', uid: 'u1', resourceVersion: '42', generation: 3, creationTimestamp: '2024-01-01T00:00:00Z', labels: { app: 'x' }, annotations: { keep: 'me' } },
    spec: { service: 's' },
  });
});

t.test('an annotation map holding only last-applied disappears', async (t) => {
  const out = trimObject(
    { metadata: { name: 'n', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } },
    { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  );
  t.same(out.metadata, { name: 'n' });
});

t.test('Pods keep what generators read; Secrets, EndpointSlices and Endpoints keep their top-level data', async (t) => {
  const p = trimObject(
    {
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        serviceAccountName: 'sa',
        nodeName: 'n1',
        volumes: [{ name: 'v' }],
        containers: [{ name: 'c', image: 'img', env: [{ name: 'A', value: 'B' }], ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }],
      },
      status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], containerStatuses: [{ name: 'c' }], conditions: [] },
    },
    { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  );
  t.same(p.spec, { serviceAccountName: 'sa', nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }] });
  t.same(p.status, { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }] });

  const s = trimObject({ metadata: { name: 's', namespace: 'ns' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==' }, immutable: true }, { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true });
  t.same(s, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==' } });

  const es = trimObject(
    { metadata: { name: 'e', namespace: 'ns' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true },
  );
  t.same([es['addressType'], es['endpoints'], es['ports']], ['IPv4', [{ addresses: ['10.0.0.1'] }], [{ port: 80 }]]);

  const ep = trimObject({ metadata: { name: 'e', namespace: 'ns' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }, { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true });
  t.same(ep['subsets'], [{ addresses: [{ ip: '10.0.0.1' }] }]);
});

import t from 'tap';
import { trimObject } from '../../src/model/trim.js';
import type { MeshObject } from '../../src/model/types.js';

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

const obj = (o: Record<string, unknown>) => o as unknown as MeshObject;

t.test('metadata keeps identity, resourceVersion, generation, labels and annotations but drops server bookkeeping', async (t) => {
  const out = trimObject(obj({ apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: meta, spec: { service: 's' }, status: { x: 1 } }));
  t.same(out, {
    apiVersion: 'split.smi-spec.io/v1alpha4',
    kind: 'TrafficSplit',
    metadata: { name: 'x', namespace: 'ns', uid: 'u1', resourceVersion: '42', generation: 3, creationTimestamp: '2024-01-01T00:00:00Z', labels: { app: 'x' }, annotations: { keep: 'me' } },
    spec: { service: 's' },
  });
});

t.test('an annotation map holding only last-applied disappears', async (t) => {
  const out = trimObject(obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } }));
  t.same(out.metadata, { name: 'n' });
});

t.test('Pods keep what generators read; Secrets, EndpointSlices, Endpoints and MeshRootCertificates keep their data', async (t) => {
  const p = trimObject(
    obj({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns' },
      spec: {
        serviceAccountName: 'sa',
        nodeName: 'n1',
        volumes: [{ name: 'v' }],
        containers: [{ name: 'c', image: 'img', env: [{ name: 'A', value: 'B' }], ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }],
      },
      status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], containerStatuses: [{ name: 'c' }], conditions: [] },
    }),
  );
  t.same(p.spec, { serviceAccountName: 'sa', nodeName: 'n1', containers: [{ name: 'c', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }] });
  t.same(p.status, { podIP: '10.0.0.1', phase: 'Running' }, 'podIPs only when there is more than one');

  const s = trimObject(obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==' }, immutable: true }));
  t.same(s, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==' } });

  const es = trimObject(obj({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', namespace: 'ns' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] }));
  t.same([es['addressType'], es['endpoints'], es['ports']], ['IPv4', [{ addresses: ['10.0.0.1'] }], [{ port: 80 }]]);

  const ep = trimObject(obj({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e', namespace: 'ns' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] }));
  t.same(ep['subsets'], [{ addresses: [{ ip: '10.0.0.1' }] }]);

  const mrc = trimObject(obj({ apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshRootCertificate', metadata: { name: 'r', namespace: 'fsm-system' }, spec: {}, status: { state: 'active' } }));
  t.same(mrc.status, { state: 'active' }, 'a root rotation phase lives in its status');
});

t.test('the input is not modified', async (t) => {
  const input = obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { ...meta } });
  const before = JSON.stringify(input);
  trimObject(input);
  t.equal(JSON.stringify(input), before);
});

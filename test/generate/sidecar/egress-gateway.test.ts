import t from 'tap';
import { generateSidecarConfig } from '../../../src/generate/sidecar/index.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, meshConfig, storeOf, UUID } from './fixtures/helpers.js';

// The egress gateway as FSM's documentation deploys it: in fsm-system, which
// is not a monitored namespace, with its mode on the Service's annotation.

function gateway(mode?: string): MeshObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'fsm-egress-gateway', namespace: 'fsm-system', ...(mode ? { annotations: { 'flomesh.io/egress-gateway-mode': mode } } : {}) },
      spec: { selector: { app: 'fsm-egress-gateway' }, clusterIP: '10.96.9.9', ports: [{ name: 'egress', port: 1080, targetPort: 1080 }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'fsm-egress-gateway-x', namespace: 'fsm-system', labels: { 'kubernetes.io/service-name': 'fsm-egress-gateway' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.9.9'] }],
      ports: [{ port: 1080 }],
    } as MeshObject,
    {
      apiVersion: 'policy.flomesh.io/v1alpha1',
      kind: 'EgressGateway',
      metadata: { name: 'global-egress-gateway', namespace: 'fsm-system' },
      spec: { global: [{ service: 'fsm-egress-gateway', namespace: 'fsm-system' }] },
    },
  ];
}

function forward(objects: MeshObject[]) {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({}), ...objects]);
  return generateSidecarConfig(store, store.proxyByUuid(UUID.bookbuyer)!).config.Forward;
}

t.test('an EgressGateway in fsm-system, with its Service there, reaches the sidecars (before: dropped)', async (t) => {
  const fwd = forward(gateway());
  t.same(fwd?.ForwardMatches, { '*': { 'fsm-egress-gateway.fsm-system': 100 } });
  t.same(fwd?.EgressGateways['fsm-egress-gateway.fsm-system'], { Endpoints: { '10.244.9.9:1080': { Weight: 100 } }, Mode: 'http2tunnel' });
});

t.test('the mode follows flomesh.io/egress-gateway-mode; an unknown value is http2tunnel', async (t) => {
  t.equal(forward(gateway('sock5'))?.EgressGateways['fsm-egress-gateway.fsm-system']?.Mode, 'sock5');
  t.equal(forward(gateway('socks5'))?.EgressGateways['fsm-egress-gateway.fsm-system']?.Mode, 'socks5');
  t.equal(forward(gateway('carrier-pigeon'))?.EgressGateways['fsm-egress-gateway.fsm-system']?.Mode, 'http2tunnel');
});

t.test('the fsm namespace is not part of the mesh: its Services are not mesh services', async (t) => {
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({}), ...gateway()]);
  t.notOk(store.list('Service').some((s) => s.metadata.namespace === 'fsm-system'), 'not listed across namespaces');
  const out = generateSidecarConfig(store, store.proxyByUuid(UUID.bookbuyer)!).config.Outbound;
  t.notOk(out?.TrafficMatches?.['1080'], 'permissive outbound does not reach it');
});

/**
 * Listener conditions and config listeners: certificates, conflicts, route
 * kinds, protocols, and listeners sharing a port.
 */
import t from 'tap';
import { computeGatewayStatus } from '../../../src/generate/gateway/status/gateway-status.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, generateAll, storeOf } from './helpers.js';

const gateway = (listeners: unknown[]): MeshObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'l', namespace: 'gw' },
  spec: { gatewayClassName: 'fsm-gateway-cls', listeners },
});
const https = (name: string, port: number, hostname: string | undefined, secret: Record<string, unknown>) => ({
  name,
  port,
  protocol: 'HTTPS',
  ...(hostname ? { hostname } : {}),
  tls: { certificateRefs: [secret] },
});

function listenersOf(objects: MeshObject[]) {
  const store = storeOf([...fixture('base.yaml'), ...objects]);
  const gw = computeGatewayStatus(store).gateways[0];
  const states = (gw?.status['listeners'] as { name: string; supportedKinds: { kind: string }[]; conditions: { type: string; status: string; reason: string; message: string }[] }[]) ?? [];
  const conds = new Map(states.map((l) => [l.name, Object.fromEntries(l.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]))]));
  const config = JSON.parse(generateAll(store).get('gw/l')?.configJson ?? '{}');
  return { conds, states, config };
}

t.test('certificates: a missing, a garbage, a cross-namespace Secret (without and with a grant)', async (t) => {
  const garbage: MeshObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'garbage', namespace: 'gw' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'not a certificate', 'tls.key': 'nope' } };
  const foreign: MeshObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'foreign', namespace: 'apps' }, type: 'kubernetes.io/tls', data: (fixture('base.yaml').find((o) => o.metadata.name === 'example-cert') as MeshObject)['data'] as Record<string, string> };
  const objects = [
    garbage,
    foreign,
    gateway([
      https('missing', 443, undefined, { name: 'nope' }),
      https('garbage', 444, undefined, { name: 'garbage' }),
      https('foreign', 445, undefined, { name: 'foreign', namespace: 'apps' }),
      https('good', 446, undefined, { name: 'example-cert' }),
    ]),
  ];
  const { conds, config } = listenersOf(objects);
  t.same(conds.get('missing'), { Accepted: 'True/Accepted', Programmed: 'False/Invalid', ResolvedRefs: 'False/InvalidCertificateRef', Conflicted: 'False/NoConflicts' });
  t.same(conds.get('garbage')?.['ResolvedRefs'], 'False/InvalidCertificateRef');
  t.same(conds.get('foreign')?.['ResolvedRefs'], 'False/RefNotPermitted');
  t.same(conds.get('good')?.['Programmed'], 'True/Programmed');
  t.same(config.Listeners.map((l: { Port: number }) => l.Port), [446], 'only the good listener is configured');

  const grant: MeshObject = {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'certs', namespace: 'apps' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gw' }], to: [{ group: '', kind: 'Secret', name: 'foreign' }] },
  };
  t.same(listenersOf([...objects, grant]).conds.get('foreign')?.['ResolvedRefs'], 'True/ResolvedRefs', 'granted');
});

t.test('listeners sharing a port: same protocol and distinct hostnames merge; same hostname is a HostnameConflict', async (t) => {
  const { conds, config } = listenersOf([
    gateway([
      https('www', 443, 'www.example.com', { name: 'example-cert' }),
      https('api', 443, 'api.example.com', { name: 'example-cert' }),
      { name: 'a', port: 80, protocol: 'HTTP', hostname: 'a.example.com' },
      { name: 'a2', port: 80, protocol: 'HTTP', hostname: 'a.example.com' },
      { name: 'tcp1', port: 7000, protocol: 'TCP' },
      { name: 'tcp2', port: 7000, protocol: 'TCP' },
    ]),
  ]);
  t.same(conds.get('www')?.['Conflicted'], 'False/NoConflicts');
  t.same(conds.get('api')?.['Conflicted'], 'False/NoConflicts');
  for (const n of ['a', 'a2', 'tcp1', 'tcp2']) t.same(conds.get(n)?.['Conflicted'], 'True/HostnameConflict', n);
  t.same(config.Listeners.map((l: { Port: number }) => l.Port), [443], 'one config listener for the two HTTPS listeners');
  t.equal(config.Listeners[0].TLS.Certificates.length, 1, 'the same certificate once');
});

t.test('route kinds, protocols and TLS modes', async (t) => {
  const { conds, states, config } = listenersOf([
    gateway([
      { name: 'kinds', port: 80, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }, { kind: 'TCPRoute' }, { group: 'example.com', kind: 'Thing' }] } },
      { name: 'only-bad', port: 81, protocol: 'HTTP', allowedRoutes: { kinds: [{ kind: 'UDPRoute' }] } },
      { name: 'sctp', port: 82, protocol: 'SCTP' },
      { name: 'pass', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough' } },
      { name: 'https-pass', port: 9443, protocol: 'HTTPS', tls: { mode: 'Passthrough' } },
      { name: 'mtls', port: 10443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'example-cert' }], frontendValidation: { caCertificateRefs: [{ name: 'client-ca' }, { kind: 'ConfigMap', group: '', name: 'ca' }] }, options: { 'gateway.flomesh.io/mtls': 'true' } } },
    ]),
  ]);
  t.same(conds.get('kinds'), { Accepted: 'True/Accepted', Programmed: 'True/Programmed', ResolvedRefs: 'False/InvalidRouteKinds', Conflicted: 'False/NoConflicts' }, 'unsupported kinds alone do not stop the listener');
  t.same(states.find((s) => s.name === 'kinds')?.supportedKinds.map((k) => k.kind), ['HTTPRoute']);
  t.same(conds.get('only-bad')?.['Programmed'], 'False/Invalid', 'no supported kind left');
  t.same(conds.get('sctp')?.['Accepted'], 'False/UnsupportedProtocol');
  t.same(conds.get('https-pass')?.['Accepted'], 'False/UnsupportedProtocol');
  t.same(conds.get('pass')?.['Programmed'], 'True/Programmed', 'passthrough needs no certificate');
  t.same(states.find((s) => s.name === 'pass')?.supportedKinds.map((k) => k.kind), ['TLSRoute']);
  t.same(conds.get('mtls')?.['ResolvedRefs'], 'False/InvalidCACertificateKind', 'a ConfigMap CA is not supported');
  t.same(config.Listeners.map((l: { Port: number }) => l.Port), [80, 8443]);
});

t.test('mutual TLS: the listener option and the CA bundle', async (t) => {
  const { config } = listenersOf([
    gateway([{ name: 'mtls', port: 10443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'example-cert' }], frontendValidation: { caCertificateRefs: [{ name: 'client-ca' }] }, options: { 'gateway.flomesh.io/mtls': 'true' } } }]),
  ]);
  const tls = config.Listeners[0].TLS;
  t.equal(tls.MTLS, true);
  t.equal(tls.TLSModeType, 'Terminate');
  t.match(tls.CACerts[0], /^-----BEGIN CERTIFICATE-----/);
});

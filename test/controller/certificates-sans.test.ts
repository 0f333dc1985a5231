import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createControllerCertificates } from '../../src/controller/certificates.js';
import { silentLogger } from '../../src/shared/logger.js';
import { meshConfig, storeOf } from '../generate/sidecar/fixtures/helpers.js';
import type { MeshObject } from '../../src/model/types.js';

// Workload certificate SANs follow --trust-domain and serviceAccessNames, as
// FSM's sidecar certificates do (GetHostnamesForService, caller local), minus
// the `name:port` forms a DNS SAN cannot hold.

const objects = (names: Record<string, unknown> = {}): MeshObject[] => [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'flomesh.io/monitored-by': 'fsm' } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web', 'fsm-proxy-uuid': 'u-1' } }, spec: { serviceAccountName: 'web', containers: [{ name: 'app' }] }, status: { podIP: '10.0.0.1' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 8443 }] } },
  meshConfig({ traffic: { serviceAccessNames: names } }),
];

async function sans(t: Test, trustDomain: string, names?: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-sans-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = storeOf(objects(names));
  const certs = await createControllerCertificates({ view: store, trustDomain, stateDir: dir, logger: silentLogger });
  t.teardown(() => certs.close());
  await certs.ensure(store.proxies());
  const cert = certs.manager.getWorkload('web.shop');
  if (!cert) throw new Error('no certificate issued');
  // The issued certificate's DNS SANs besides its common name.
  const x509 = new X509Certificate(cert.certChainPem);
  return (x509.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)).filter((n) => n !== cert.commonName).sort();
}

t.test('the defaults: every name of the service under the trust domain, no ports', async (t) => {
  t.same(await sans(t, 'mesh.example'), ['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.mesh', 'web.shop.svc.mesh.example']);
});

t.test('withTrustDomain false keeps svc and svc.ns; mustWithServicePort leaves no DNS name', async (t) => {
  t.same(await sans(t, 'cluster.local', { withTrustDomain: false }), ['web', 'web.shop']);
  t.same(await sans(t, 'cluster.local', { mustWithServicePort: true }), []);
});

import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import { createCertManagerIssuer } from '../../../src/certificate/issuers/cert-manager.js';
import { createKubeClient } from '../../../src/kubernetes/kube-client.js';
import { createCertificateManager } from '../../../src/certificate/manager.js';
import { createKubeApiStandIn, type KubeApiStandIn } from '../../stand-ins/kube-api-server.js';
import { createCsrSigner, type CsrSigner } from '../fixtures/csr-signer.js';
import { verifyChain } from '../fixtures/chain-verifier.js';
import { mtlsHandshake } from '../fixtures/helpers.js';

const CR = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest' };

async function standIn(t: Test): Promise<KubeApiStandIn> {
  const api = createKubeApiStandIn();
  api.addResource({ ...CR, plural: 'certificaterequests', namespaced: true });
  await api.start();
  t.teardown(() => api.close());
  return api;
}

/** Plays cert-manager: signs each new CertificateRequest shortly after it is created. */
function actAsCertManager(api: KubeApiStandIn, signer: CsrSigner, seen: Record<string, unknown>[]) {
  return api.onCreate(CR, (obj) => {
    seen.push(structuredClone(obj));
    const spec = obj['spec'] as { request: string; duration: string };
    const name = obj.metadata.name;
    const ns = obj.metadata.namespace;
    setTimeout(() => {
      void signer.sign(Buffer.from(spec.request, 'base64').toString('utf8'), parseInt(spec.duration, 10)).then((pem) =>
        api.setStatus(CR.apiVersion, CR.kind, ns, name, {
          conditions: [{ type: 'Ready', status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully' }],
          certificate: Buffer.from(pem).toString('base64'),
          ca: Buffer.from(signer.caPem).toString('base64'),
        }),
      );
    }, 50);
  });
}

t.test('CertificateRequest with a CSR, Ready, certificate and CA read, request deleted', async (t) => {
  const api = await standIn(t);
  const signer = await createCsrSigner();
  const seen: Record<string, unknown>[] = [];
  actAsCertManager(api, signer, seen);
  const issuer = await createCertManagerIssuer({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system', pollIntervalMs: 20 });
  t.equal(issuer.trustBundlePem(), signer.caPem, 'CA learned from a probe request');
  const m = createCertificateManager({ issuer });
  t.teardown(() => m.close());
  m.setValidity('2h');
  const a = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop', hostnames: ['bookstore.shop'] });
  const b = await m.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'shop' });
  const cr = seen.find((o) => JSON.stringify(o).includes('bookstore')) ?? seen[1];
  const spec = (cr as { spec: Record<string, unknown> }).spec;
  t.equal(spec['isCA'], false);
  t.equal(spec['duration'], '7200s');
  t.same(spec['issuerRef'], { name: 'fsm-ca', kind: 'Issuer', group: 'cert-manager.io' });
  t.match(Buffer.from(String(spec['request']), 'base64').toString(), /BEGIN CERTIFICATE REQUEST/);
  t.same(api.list(CR.apiVersion, CR.kind, 'fsm-system').map((o) => o.metadata.name), [], 'requests deleted');
  const x = new X509Certificate(a.certChainPem);
  t.equal(x.subjectAltName, 'DNS:bookstore.shop.cluster.local, DNS:bookstore.shop, URI:spiffe://cluster.local/ns/shop/sa/bookstore');
  t.equal(a.notAfter.getTime() - a.notBefore.getTime(), 7_200_000);
  t.same(verifyChain(signer.caPem, a.certChainPem), { ok: true });
  const r = await mtlsHandshake(
    { certChainPem: a.certChainPem, privateKeyPem: a.privateKeyPem, trustPem: a.issuingCaPem },
    { certChainPem: b.certChainPem, privateKeyPem: b.privateKeyPem, trustPem: b.issuingCaPem },
  );
  t.equal(r.ok, true, r.error ?? '');
});

t.test('not Ready within the configured timeout: E4013 and the request is deleted', async (t) => {
  const api = await standIn(t);
  const signer = await createCsrSigner();
  const issuer = await createCertManagerIssuer({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system', caPem: signer.caPem, readyTimeoutMs: 300, pollIntervalMs: 20 });
  await t.rejects(
    issuer.issue({ commonName: 'slow.shop.cluster.local', dnsNames: ['slow.shop.cluster.local'], uris: [], validityMs: 60_000, keyType: { kind: 'ecdsa-p256' } }),
    /E4013: CertificateRequest fsm-system\/fsm-slow-shop-cluster-local-[0-9a-f]+ not Ready within 300 ms/,
  );
  t.equal(api.list(CR.apiVersion, CR.kind, 'fsm-system').length, 0);
});

t.test('a denied request is an error naming the reason', async (t) => {
  const api = await standIn(t);
  api.onCreate(CR, (obj) => ({ ...obj, status: { conditions: [{ type: 'Denied', status: 'True', reason: 'Policy', message: 'not approved by policy' }] } }));
  const signer = await createCsrSigner();
  const issuer = await createCertManagerIssuer({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system', caPem: signer.caPem, pollIntervalMs: 20 });
  await t.rejects(issuer.issue({ commonName: 'x.y.cluster.local', dnsNames: ['x.y.cluster.local'], uris: [], validityMs: 60_000, keyType: { kind: 'ecdsa-p256' } }), /denied: not approved by policy/);
  t.equal(api.list(CR.apiVersion, CR.kind, 'fsm-system').length, 0);
});

import t, { type Test } from 'tap';
import { X509Certificate } from 'node:crypto';
import { createVaultIssuer, vaultTokenFromSecret } from '../../../src/certificate/issuers/vault.js';
import { createCertificateManager } from '../../../src/certificate/manager.js';
import { createMemorySecretStorage } from '../../../src/certificate/storage/secret-storage.js';
import { createVaultStandIn } from '../../stand-ins/vault-server.js';
import { verifyChain } from '../fixtures/chain-verifier.js';
import { mtlsHandshake } from '../fixtures/helpers.js';

async function vault(t: Test, roles?: Record<string, number>) {
  const v = createVaultStandIn({ token: 's.root-token', ...(roles ? { roles } : {}) });
  await v.start();
  t.teardown(() => v.close());
  return v;
}

t.test('issues through pki/issue/<role> sending the SANs and the exact TTL', async (t) => {
  const v = await vault(t);
  const issuer = await createVaultIssuer({ address: v.url, token: 's.root-token' });
  t.equal(issuer.trustBundlePem(), v.caPem);
  const m = createCertificateManager({ issuer, trustDomain: 'cluster.local' });
  t.teardown(() => m.close());
  t.equal(m.setValidity('1h30m15s'), undefined);
  const cert = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop', hostnames: ['bookstore', 'bookstore.shop'] });
  const req = v.requests.find((r) => r.path === '/v1/pki/issue/flomesh');
  t.ok(req, 'issue request recorded');
  t.equal(req?.token, 's.root-token');
  t.same(req?.body, {
    common_name: 'bookstore.shop.cluster.local',
    alt_names: 'bookstore,bookstore.shop',
    uri_sans: 'spiffe://cluster.local/ns/shop/sa/bookstore',
    ttl: '5415s',
    format: 'pem',
  });
  const x = new X509Certificate(cert.certChainPem);
  t.equal(x.subjectAltName, 'DNS:bookstore.shop.cluster.local, DNS:bookstore, DNS:bookstore.shop, URI:spiffe://cluster.local/ns/shop/sa/bookstore');
  t.equal(cert.notAfter.getTime() - cert.notBefore.getTime(), 5415_000 + 30_000, 'Vault backdates notBefore by 30 s');
  t.equal(cert.issuingCaPem, v.caPem);
  t.same(verifyChain(v.caPem, cert.certChainPem), { ok: true });
  const peer = await m.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'shop' });
  const r = await mtlsHandshake(
    { certChainPem: cert.certChainPem, privateKeyPem: cert.privateKeyPem, trustPem: cert.issuingCaPem },
    { certChainPem: peer.certChainPem, privateKeyPem: peer.privateKeyPem, trustPem: peer.issuingCaPem },
  );
  t.equal(r.ok, true, r.error ?? '');
});

t.test('token from a Secret; a wrong token is a clear E4013 error', async (t) => {
  const v = await vault(t);
  const storage = createMemorySecretStorage();
  await storage.put('vault-token', { token: 's.root-token\n' });
  const issuer = await createVaultIssuer({ address: v.url, token: vaultTokenFromSecret(storage, 'vault-token', 'token') });
  const issued = await issuer.issue({ commonName: 'a.b.cluster.local', dnsNames: ['a.b.cluster.local'], uris: [], validityMs: 60_000, keyType: { kind: 'ecdsa-p256' } });
  t.equal(issued.commonName, 'a.b.cluster.local');
  t.notOk('alt_names' in (v.requests.at(-1)?.body ?? {}), 'no empty alt_names');
  await storage.put('vault-token', { token: 'wrong' });
  await t.rejects(issuer.issue({ commonName: 'x', dnsNames: ['x'], uris: [], validityMs: 60_000, keyType: { kind: 'ecdsa-p256' } }), /E4013: vault answered 403: .*permission denied/);
  await t.rejects(createVaultIssuer({ address: 'http://127.0.0.1:1', token: 'x', timeoutMs: 2000 }), /E4013/);
});

t.test('a role max_ttl below the validity: the manager warns and does not loop', async (t) => {
  const v = await vault(t, { flomesh: 10 });
  const issuer = await createVaultIssuer({ address: v.url, token: 's.root-token' });
  const m = createCertificateManager({ issuer });
  t.teardown(() => m.close());
  await m.issueWorkload({ serviceAccount: 's', namespace: 'n' });
  const cert = m.getWorkload('s.n');
  t.equal(v.requests.at(-1)?.body?.['ttl'], '86400s', 'asked for 24h');
  t.ok(cert && cert.notAfter.getTime() - Date.now() <= 10_000, 'capped by the role');
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(v.requests.filter((r) => r.path.includes('/issue/')).length, 1, 'no re-issue loop');
});

import t from 'tap';
import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { caFromRoot, createBuiltinCa, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createFileSecretStorage } from '../../src/certificate/storage/file-storage.js';
import { createMemorySecretStorage } from '../../src/certificate/storage/secret-storage.js';
import { CertificateError } from '../../src/certificate/types.js';
import { verifyChain } from './fixtures/chain-verifier.js';
import { tempDir } from './fixtures/helpers.js';

const request = {
  commonName: 'bookstore.bookstore.cluster.local',
  dnsNames: ['bookstore.bookstore.cluster.local', 'bookstore', 'bookstore.bookstore.svc.cluster.local'],
  uris: ['spiffe://cluster.local/ns/bookstore/sa/bookstore'],
  validityMs: 3_600_000,
  keyType: { kind: 'ecdsa-p256' } as const,
};

t.test('root is created in the state dir (0700/0600) and reloaded on restart', async (t) => {
  const { dir, cleanup } = await tempDir('fsm-ca-');
  t.teardown(cleanup);
  const stateDir = join(dir, 'state');
  const first = await createBuiltinCa({ storage: createFileSecretStorage({ dir: stateDir }) });
  t.equal(first.created, true);
  t.equal((await stat(stateDir)).mode & 0o777, 0o700);
  t.equal((await stat(join(stateDir, 'fsm-ca-bundle'))).mode & 0o777, 0o700);
  t.equal((await stat(join(stateDir, 'fsm-ca-bundle', 'private.key'))).mode & 0o777, 0o600);
  t.equal((await stat(join(stateDir, 'fsm-ca-bundle', 'ca.crt'))).mode & 0o777, 0o600);
  t.equal(await readFile(join(stateDir, 'fsm-ca-bundle', 'ca.crt'), 'utf8'), first.rootPem);

  const second = await createBuiltinCa({ storage: createFileSecretStorage({ dir: stateDir }) });
  t.equal(second.created, false);
  t.equal(second.rootPem, first.rootPem);
  t.equal(second.id, first.id);
  // A leaf from the reloaded CA verifies against the first root.
  const leaf = await second.issue(request);
  t.same(verifyChain(first.rootPem, leaf.certChainPem), { ok: true });
});

t.test('concurrent create-or-load: every process ends up with one root', async (t) => {
  const { dir, cleanup } = await tempDir('fsm-ca-race-');
  t.teardown(cleanup);
  const cas = await Promise.all([1, 2, 3, 4].map(() => createBuiltinCa({ storage: createFileSecretStorage({ dir }) })));
  t.equal(new Set(cas.map((c) => c.rootPem)).size, 1);
  t.equal(cas.filter((c) => c.created).length, 1);
});

t.test('root defaults follow FSM: CN fsm-ca.flomesh.io, O Flomesh Service Mesh, 10 years, CA', async (t) => {
  const ca = await createBuiltinCa({ storage: createMemorySecretStorage() });
  const root = new X509Certificate(ca.rootPem);
  t.match(root.subject, /CN=fsm-ca\.flomesh\.io/);
  t.match(root.subject, /O=Flomesh Service Mesh/);
  t.equal(root.ca, true);
  const years = (Date.parse(root.validTo) - Date.parse(root.validFrom)) / (365 * 86_400_000);
  t.ok(years > 9.99 && years < 10.01, `root lifetime ${years} years`);
  t.equal(root.publicKey.asymmetricKeyType, 'ec');
  t.ok(root.checkIssued(root), 'self-signed');
  t.ok(root.verify(root.publicKey), 'self-signature verifies');
});

t.test('leaf fields: CN, SANs, key usages, CA:false, 128-bit serial, AKI/SKI', async (t) => {
  const ca = await createBuiltinCa({ storage: createMemorySecretStorage() });
  const issued = await ca.issue(request);
  const leaf = new X509Certificate(issued.certChainPem);
  const root = new X509Certificate(ca.rootPem);
  t.match(leaf.subject, /CN=bookstore\.bookstore\.cluster\.local/);
  t.equal(leaf.ca, false);
  t.ok(leaf.checkIssued(root));
  t.ok(leaf.verify(root.publicKey));
  t.equal(
    leaf.subjectAltName,
    'DNS:bookstore.bookstore.cluster.local, DNS:bookstore, DNS:bookstore.bookstore.svc.cluster.local, URI:spiffe://cluster.local/ns/bookstore/sa/bookstore',
  );
  t.same(leaf.keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  t.ok(leaf.serialNumber.length >= 31 && leaf.serialNumber.length <= 32, `serial ${leaf.serialNumber}`);
  t.equal(issued.serialNumber, leaf.serialNumber.toLowerCase().replace(/^0+/, ''));
  t.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 3_600_000);
  t.equal(issued.notAfter.getTime(), Date.parse(leaf.validTo));
  t.match(issued.privateKeyPem, /BEGIN EC PRIVATE KEY/);
  t.ok(leaf.checkPrivateKey(createPrivateKey(issued.privateKeyPem)));
  // Key usage bits and key identifiers, read back by @peculiar/x509's parser (node:crypto does not expose them).
  const parsed = new x509.X509Certificate(leaf.raw);
  const keyUsage = parsed.getExtension(x509.KeyUsagesExtension);
  t.equal(keyUsage?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, 'digitalSignature, keyEncipherment');
  t.equal(keyUsage?.critical, true, 'key usage is critical');
  const basic = parsed.getExtension(x509.BasicConstraintsExtension);
  t.match(basic, { ca: false, critical: true }, 'CA:FALSE, critical');
  const ski = parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  t.equal(ski, createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 20).toString('hex'), 'SKI: the first 160 bits of SHA-256 over the leaf SubjectPublicKeyInfo (RFC 7093 method 4)');
  const rootSki = new x509.X509Certificate(root.raw).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  t.ok(rootSki, 'the root has a SKI');
  t.equal(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, rootSki, 'AKI names the root SKI');
  const serials = new Set<string>();
  for (let i = 0; i < 20; i++) serials.add((await ca.issue(request)).serialNumber);
  t.equal(serials.size, 20, 'serials are random');
});

t.test('ECDSA and RSA leaves from ECDSA and RSA roots verify for TLS servers and clients', async (t) => {
  for (const rootKey of [{ kind: 'ecdsa-p256' } as const, { kind: 'rsa', bits: 2048 } as const]) {
    const ca = caFromRoot(await generateRoot({ keyType: rootKey }));
    for (const keyType of [{ kind: 'ecdsa-p256' } as const, { kind: 'rsa', bits: 2048 } as const]) {
      const leaf = await ca.issue({ ...request, keyType });
      for (const purpose of ['serverAuth', 'clientAuth'] as const) {
        t.same(verifyChain(ca.rootPem, leaf.certChainPem, { purpose }), { ok: true }, `${rootKey.kind} root, ${keyType.kind} leaf, ${purpose}`);
      }
      if (keyType.kind === 'rsa') t.match(leaf.privateKeyPem, /BEGIN RSA PRIVATE KEY/);
    }
  }
});

t.test('a stored key that does not match the stored root is refused', async (t) => {
  const a = await generateRoot();
  const b = await generateRoot();
  t.throws(() => caFromRoot({ certPem: a.certPem, keyPem: b.keyPem }), CertificateError);
  const storage = createMemorySecretStorage();
  await storage.put('fsm-ca-bundle', { 'ca.crt': a.certPem });
  await t.rejects(createBuiltinCa({ storage }), /E4015/);
});

t.test('RSA key sizes outside 2048..4096 are refused', async (t) => {
  const ca = caFromRoot(await generateRoot());
  await t.rejects(ca.issue({ ...request, keyType: { kind: 'rsa', bits: 1024 } }), /E4006/);
});

t.test('a lost root with certificates it issued still stored: no new root unless explicitly allowed (E4009)', async (t) => {
  const storage = createMemorySecretStorage();
  await storage.put('fsm-workload-cert-bookbuyer.bookbuyer', { 'tls.crt': 'x' });
  await t.rejects(
    createBuiltinCa({ storage, issuedPrefix: 'fsm-workload-cert-' }),
    /^E4009: no root CA "fsm-ca-bundle" in memory, but 1 certificate issued from a root is there \(fsm-workload-cert-bookbuyer\.bookbuyer\): the root was removed\. .*MeshRootCertificate/,
  );
  t.equal(await storage.get('fsm-ca-bundle'), undefined, 'nothing was created');
  const ca = await createBuiltinCa({ storage, issuedPrefix: 'fsm-workload-cert-', allowNewRoot: true });
  t.equal(ca.created, true, 'allowed explicitly: a new root');
  const fresh = createMemorySecretStorage();
  t.equal((await createBuiltinCa({ storage: fresh, issuedPrefix: 'fsm-workload-cert-' })).created, true, 'an empty storage gets its first root');
});

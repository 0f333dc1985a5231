import t from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../src/certificate/manager.js';
import type { Clock } from '../../src/certificate/types.js';
import { verifyChain } from './fixtures/chain-verifier.js';
import { mtlsHandshake } from './fixtures/helpers.js';

t.test('two issued leaves complete mutual TLS; their chains verify', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const server = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  const client = await m.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'shop' });
  for (const leaf of [server, client]) t.same(verifyChain(ca.rootPem, leaf.certChainPem), { ok: true });
  const r = await mtlsHandshake(
    { certChainPem: server.certChainPem, privateKeyPem: server.privateKeyPem, trustPem: server.issuingCaPem },
    { certChainPem: client.certChainPem, privateKeyPem: client.privateKeyPem, trustPem: client.issuingCaPem },
  );
  t.equal(r.ok, true, r.error ?? '');
  t.equal(r.serverSawClientCn, 'bookbuyer.shop.cluster.local');
  t.equal(r.clientSawServerCn, 'bookstore.shop.cluster.local');
});

t.test('RSA leaves complete mutual TLS too', async (t) => {
  const ca = caFromRoot(await generateRoot({ keyType: { kind: 'rsa', bits: 2048 } }));
  const m = createCertificateManager({ issuer: ca, keyType: { kind: 'rsa', bits: 2048 } });
  t.teardown(() => m.close());
  const a = await m.issueWorkload({ serviceAccount: 'a', namespace: 'n' });
  const b = await m.issueWorkload({ serviceAccount: 'b', namespace: 'n' });
  const r = await mtlsHandshake(
    { certChainPem: a.certChainPem, privateKeyPem: a.privateKeyPem, trustPem: a.issuingCaPem },
    { certChainPem: b.certChainPem, privateKeyPem: b.privateKeyPem, trustPem: b.issuingCaPem },
  );
  t.equal(r.ok, true, r.error ?? '');
});

t.test('an expired certificate is refused (TLS and chain verification)', async (t) => {
  const past: Clock = { now: () => Date.now() - 7_200_000, setTimer: () => () => undefined };
  const root = await generateRoot();
  const ca = caFromRoot(root);
  // The same root, signing with a clock two hours behind: a 1 h leaf that has already expired.
  const expiredCa = caFromRoot(root, { clock: past });
  const expired = await expiredCa.issue({ commonName: 'old.shop.cluster.local', dnsNames: ['old.shop.cluster.local'], uris: [], validityMs: 3_600_000, keyType: { kind: 'ecdsa-p256' } });
  t.ok(expired.notAfter.getTime() < Date.now());
  t.same(verifyChain(ca.rootPem, expired.certChainPem), { ok: false, reason: 'certificate has expired', depth: 0 });
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const good = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  const asClient = await mtlsHandshake(
    { certChainPem: good.certChainPem, privateKeyPem: good.privateKeyPem, trustPem: ca.rootPem },
    { certChainPem: expired.certChainPem, privateKeyPem: expired.privateKeyPem, trustPem: ca.rootPem },
  );
  // The server refuses the client certificate after the TLS 1.3 handshake: it hangs up.
  t.equal(asClient.ok, false);
  t.equal(asClient.serverSawClientCn, undefined);
  const asServer = await mtlsHandshake(
    { certChainPem: expired.certChainPem, privateKeyPem: expired.privateKeyPem, trustPem: ca.rootPem },
    { certChainPem: good.certChainPem, privateKeyPem: good.privateKeyPem, trustPem: ca.rootPem },
  );
  t.equal(asServer.ok, false);
  t.match(asServer.error ?? '', /expired/i);
});

t.test('a certificate from another CA is refused', async (t) => {
  const ours = caFromRoot(await generateRoot());
  const theirs = caFromRoot(await generateRoot());
  const req = { dnsNames: ['x'], uris: [], validityMs: 3_600_000, keyType: { kind: 'ecdsa-p256' } as const };
  const good = await ours.issue({ ...req, commonName: 'good' });
  const foreign = await theirs.issue({ ...req, commonName: 'foreign' });
  t.same(verifyChain(ours.rootPem, foreign.certChainPem), { ok: false, reason: 'unable to get local issuer certificate', depth: 0 });
  const r = await mtlsHandshake(
    { certChainPem: good.certChainPem, privateKeyPem: good.privateKeyPem, trustPem: ours.rootPem },
    { certChainPem: foreign.certChainPem, privateKeyPem: foreign.privateKeyPem, trustPem: ours.rootPem },
  );
  t.equal(r.ok, false);
  t.equal(r.serverSawClientCn, undefined, 'the server never accepted the foreign client');
  const reverse = await mtlsHandshake(
    { certChainPem: foreign.certChainPem, privateKeyPem: foreign.privateKeyPem, trustPem: ours.rootPem },
    { certChainPem: good.certChainPem, privateKeyPem: good.privateKeyPem, trustPem: ours.rootPem },
  );
  t.equal(reverse.ok, false);
  t.match(reverse.error ?? '', /unable to verify|self.signed|certificate/i, 'the client names the reason');
});


import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { createBuiltinCa } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager, type RotationEvent } from '../../src/certificate/manager.js';
import { createRootRotationController, selectIssuers, tresorIssuerFactory, type MeshRootCertificate } from '../../src/certificate/mesh-root-certificate.js';
import { createMemorySecretStorage } from '../../src/certificate/storage/secret-storage.js';
import { pemBlocks } from '../../src/certificate/pem.js';
import type { WorkloadCertificate } from '../../src/certificate/types.js';
import { verifyChain } from './fixtures/chain-verifier.js';
import { mtlsHandshake } from './fixtures/helpers.js';

function mrc(name: string, state: string, secret = `${name}-ca`): MeshRootCertificate {
  return {
    apiVersion: 'config.flomesh.io/v1alpha3',
    kind: 'MeshRootCertificate',
    metadata: { name, namespace: 'fsm-system' },
    spec: { trustDomain: 'cluster.local', provider: { tresor: { ca: { secretRef: { name: secret, namespace: 'fsm-system' } } } } },
    status: { state },
  };
}

const side = (c: WorkloadCertificate) => ({ certChainPem: c.certChainPem, privateKeyPem: c.privateKeyPem, trustPem: c.issuingCaPem });

t.test('selectIssuers follows the MRC states', async (t) => {
  t.same(selectIssuers([mrc('a', 'active')]), { signing: 'a', validating: 'a' });
  t.same(selectIssuers([mrc('a', 'active'), mrc('b', 'validatingRollout')]), { signing: 'a', validating: 'b' });
  t.same(selectIssuers([mrc('a', 'active'), mrc('b', 'issuingRollout')]), { signing: 'b', validating: 'a' });
  t.same(selectIssuers([mrc('a', 'inactive'), mrc('b', 'active')]), { signing: 'b', validating: 'b' });
  t.same(selectIssuers([mrc('a', 'active'), mrc('b', 'issuingRollback')]), { signing: 'a', validating: 'b' });
  t.same(selectIssuers([mrc('a', 'active'), mrc('b', 'validatingRollback')]), { signing: 'a', validating: 'b' });
  t.throws(() => selectIssuers([mrc('a', 'inactive')]), /E4009/);
  t.throws(() => selectIssuers([mrc('a', 'active'), mrc('b', 'active')]), /E4009/);
  t.throws(() => selectIssuers([mrc('a', 'active'), mrc('b', 'validatingRollout'), mrc('c', 'validatingRollout')]), /E4009/);
  t.throws(() => selectIssuers([mrc('a', 'error')]), /E4009/);
});

t.test('root rotation A -> B: at every phase peers from adjacent phases and from both roots handshake', async (t) => {
  const storage = createMemorySecretStorage();
  const issuerFor = tresorIssuerFactory((ns) => {
    t.equal(ns, 'fsm-system');
    return storage;
  });
  const caA = await createBuiltinCa({ storage, secretName: 'a-ca' });
  const caB = await createBuiltinCa({ storage, secretName: 'b-ca' });
  t.not(caA.id, caB.id);
  const manager = createCertificateManager({ issuer: caA });
  t.teardown(() => manager.close());
  const events: RotationEvent[] = [];
  manager.onRotated((e) => events.push(e));
  const controller = createRootRotationController({ manager, issuerFor });
  const X = { serviceAccount: 'bookstore', namespace: 'shop' };
  const Y = { serviceAccount: 'bookbuyer', namespace: 'shop' };
  const snapshot = async () => ({ x: await manager.issueWorkload(X), y: await manager.issueWorkload(Y) });
  const issuedBy = (c: WorkloadCertificate, root: string) => new X509Certificate(c.certChainPem).checkIssued(new X509Certificate(root));
  const roots = (bundle: string) => pemBlocks(bundle).length;
  const handshake = async (label: string, server: WorkloadCertificate, client: WorkloadCertificate, expectOk = true) => {
    for (const [s, c] of [[server, client], [client, server]] as const) {
      const r = await mtlsHandshake(side(s), side(c));
      t.equal(r.ok, expectOk, `${label}: ${s.commonName} serves ${c.commonName} ${r.error ?? ''}`);
    }
  };

  // Phase 0: A alone.
  await controller.apply([mrc('a', 'active')]);
  const p0 = await snapshot();
  t.equal(roots(p0.x.issuingCaPem), 1);
  t.ok(issuedBy(p0.x, caA.rootPem));

  // Phase 1: distribute A+B, leaves still from A (same certificates, new bundle).
  await controller.apply([mrc('a', 'active'), mrc('b', 'validatingRollout')]);
  const p1 = await snapshot();
  t.equal(roots(p1.x.issuingCaPem), 2);
  t.equal(p1.x.certChainPem, p0.x.certChainPem, 'leaf not re-issued in phase 1');
  t.ok(events.filter((e) => e.reason === 'trust-bundle').length === 2, 'bundle change announced for both identities');
  await handshake('phase 1 vs lagging phase 0', p1.x, p0.y);
  const earlyB = await caB.issue({ commonName: 'early.shop.cluster.local', dnsNames: ['early.shop.cluster.local'], uris: [], validityMs: 3_600_000, keyType: { kind: 'ecdsa-p256' } });
  const earlyFromB = { ...p1.y, commonName: earlyB.commonName, certChainPem: earlyB.certChainPem, privateKeyPem: earlyB.privateKeyPem };
  await handshake('phase 1, leaf from A vs leaf from B', p1.x, earlyFromB);

  // Phase 2: issue from B, still trust both: every leaf re-issued.
  await controller.apply([mrc('a', 'active'), mrc('b', 'issuingRollout')]);
  const p2 = await snapshot();
  t.ok(issuedBy(p2.x, caB.rootPem) && issuedBy(p2.y, caB.rootPem), 'leaves now from B');
  t.equal(roots(p2.x.issuingCaPem), 2);
  t.ok(events.some((e) => e.reason === 'root-rotation' && e.identity === 'bookstore.shop'));
  for (const leaf of [p2.x, p2.y]) t.same(verifyChain(caB.rootPem, leaf.certChainPem), { ok: true });
  await handshake('phase 2, leaf from B vs lagging phase-1 leaf from A', p2.x, p1.y);
  await handshake('phase 2, both from B', p2.x, p2.y);

  // Phase 3: drop A.
  await controller.apply([mrc('a', 'inactive'), mrc('b', 'active')]);
  const p3 = await snapshot();
  t.equal(roots(p3.x.issuingCaPem), 1);
  t.equal(p3.x.certChainPem, p2.x.certChainPem, 'leaf not re-issued in phase 3');
  t.equal(p3.x.issuingCaPem, caB.rootPem);
  await handshake('phase 3 vs lagging phase 2', p3.x, p2.y);
  await handshake('phase 3, a leaf still from A is refused', p3.x, p1.y, false);
});

t.test('rollback: issuingRollback signs with the old root again', async (t) => {
  const storage = createMemorySecretStorage();
  const issuerFor = (m: MeshRootCertificate) => createBuiltinCa({ storage, secretName: m.spec.provider?.tresor?.ca.secretRef.name ?? 'x' });
  const caA = await createBuiltinCa({ storage, secretName: 'a-ca' });
  const caB = await createBuiltinCa({ storage, secretName: 'b-ca' });
  const manager = createCertificateManager({ issuer: caA });
  t.teardown(() => manager.close());
  const controller = createRootRotationController({ manager, issuerFor });
  await controller.apply([mrc('a', 'active'), mrc('b', 'issuingRollout')]);
  const fromB = await manager.issueWorkload({ serviceAccount: 's', namespace: 'n' });
  t.ok(new X509Certificate(fromB.certChainPem).checkIssued(new X509Certificate(caB.rootPem)));
  await controller.apply([mrc('a', 'active'), mrc('b', 'issuingRollback')]);
  const back = manager.getWorkload('s.n');
  t.ok(back && new X509Certificate(back.certChainPem).checkIssued(new X509Certificate(caA.rootPem)));
  const r = await mtlsHandshake(side(back as WorkloadCertificate), side(fromB));
  t.equal(r.ok, true, r.error ?? '');
  await t.rejects(controller.apply([mrc('a', 'inactive'), mrc('b', 'inactive')]), /E4009/);
  t.equal(manager.trustBundlePem(), back?.issuingCaPem, 'an unusable set leaves the manager unchanged');
});

t.test('tresorIssuerFactory refuses MRCs without a tresor provider', async (t) => {
  const factory = tresorIssuerFactory(() => createMemorySecretStorage());
  await t.rejects(factory({ metadata: { name: 'v' }, spec: { provider: { vault: {} } } }), /E4009/);
});

import t, { type Test } from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager, type CertificateManager, type RotationEvent } from '../../src/certificate/manager.js';
import { createKubeSecretStorage } from '../../src/certificate/storage/kube-secret-storage.js';
import { createMemorySecretStorage, type SecretStorage } from '../../src/certificate/storage/secret-storage.js';
import type { Issuer } from '../../src/certificate/types.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { waitFor } from '../support/wait-for.js';

// Two controller replicas share the workload certificates through their storage, so that every
// proxy gets the same certificate (and so the same config and etag) from either replica.

const ref = { serviceAccount: 'bookstore', namespace: 'shop' };
const identity = 'bookstore.shop';

async function replicas(t: Test, storages: [SecretStorage, SecretStorage], issuer: Issuer): Promise<[CertificateManager, CertificateManager]> {
  const managers = storages.map((store) => createCertificateManager({ issuer, store })) as [CertificateManager, CertificateManager];
  for (const m of managers) {
    await m.start();
    t.teardown(() => m.close());
  }
  return managers;
}

const rotations = (m: CertificateManager) => {
  const seen: RotationEvent[] = [];
  m.onRotated((e) => seen.push(e));
  return seen;
};

t.test('racing first issuances converge on one certificate', async (t) => {
  const store = createMemorySecretStorage();
  const [a, b] = await replicas(t, [store, store], caFromRoot(await generateRoot()));
  const [ca, cb] = await Promise.all([a.issueWorkload(ref), b.issueWorkload(ref)]);
  t.equal(ca.serialNumber, cb.serialNumber, 'both serve the same certificate');
  t.equal(ca.privateKeyPem, cb.privateKeyPem);
  t.equal(a.getWorkload(identity)?.serialNumber, b.getWorkload(identity)?.serialNumber);
  const later = await b.issueWorkload(ref);
  t.equal(later.serialNumber, ca.serialNumber, 'and keep serving it');
});

t.test('a rotation by one replica is adopted by the other (reason replica), without issuing', async (t) => {
  const store = createMemorySecretStorage();
  const [a, b] = await replicas(t, [store, store], caFromRoot(await generateRoot()));
  const first = await a.issueWorkload(ref);
  t.equal((await b.issueWorkload(ref)).serialNumber, first.serialNumber, 'b reads a\'s certificate from the storage');
  t.equal(b.issuedCount, 0, 'b issued nothing');
  const seenByB = rotations(b);
  const renewed = await a.renewWorkload(identity);
  t.not(renewed?.serialNumber, first.serialNumber);
  await waitFor('b adopts', () => b.getWorkload(identity)?.serialNumber === renewed?.serialNumber);
  t.same(seenByB.map((e) => [e.reason, e.previous.serialNumber, e.current.serialNumber]), [['replica', first.serialNumber, renewed?.serialNumber]]);
  t.equal(b.issuedCount, 0);
});

t.test('host names wanted by one replica only: the union wins on both', async (t) => {
  const store = createMemorySecretStorage();
  const [a, b] = await replicas(t, [store, store], caFromRoot(await generateRoot()));
  await a.issueWorkload({ ...ref, hostnames: ['bookstore'] });
  const wider = await b.issueWorkload({ ...ref, hostnames: ['bookstore', 'bookstore-v2'] });
  t.ok(wider.sans.includes('bookstore') && wider.sans.includes('bookstore-v2'));
  await waitFor('a adopts the wider certificate', () => a.getWorkload(identity)?.serialNumber === wider.serialNumber);
});

t.test('over Kubernetes Secrets (two clients, the API server stand-in): one certificate, rotations followed', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const storage = () => createKubeSecretStorage({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system' });
  const [a, b] = await replicas(t, [storage(), storage()], caFromRoot(await generateRoot()));
  const [ca, cb] = await Promise.all([a.issueWorkload(ref), b.issueWorkload(ref)]);
  t.equal(ca.serialNumber, cb.serialNumber, 'one certificate after a race through the API server');
  t.equal(api.list('v1', 'Secret', 'fsm-system').length, 1, 'one Secret');
  await waitFor('both watches open', () => api.openWatches() === 2);
  const renewed = await b.renewWorkload(identity);
  await waitFor('a adopts b\'s renewal', () => a.getWorkload(identity)?.serialNumber === renewed?.serialNumber);
  t.ok(api.requestCount({ method: 'PUT' }) >= 1, 'the renewal replaced the Secret with a resourceVersion precondition');
});

import t from 'tap';
import { createBuiltinCa } from '../../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../../src/certificate/manager.js';
import { createKubeSecretStorage, MANAGED_LABEL } from '../../../src/certificate/storage/kube-secret-storage.js';
import { createKubeClient } from '../../../src/kubernetes/kube-client.js';
import { createKubeApiStandIn } from '../../stand-ins/kube-api-server.js';
import { verifyChain } from '../fixtures/chain-verifier.js';

t.test('fsm-ca-bundle Secret: create-or-load with ca.crt and private.key', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const storage = () => createKubeSecretStorage({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system', labels: { 'app.kubernetes.io/name': 'flomesh.io' } });
  const cas = await Promise.all([createBuiltinCa({ storage: storage() }), createBuiltinCa({ storage: storage() })]);
  t.equal(cas[0]?.rootPem, cas[1]?.rootPem, 'racing processes share one root');
  t.equal(cas.filter((c) => c.created).length, 1);
  const secret = api.get('v1', 'Secret', 'fsm-system', 'fsm-ca-bundle') as unknown as { data: Record<string, string>; metadata: { labels: Record<string, string> } };
  t.same(Object.keys(secret.data).sort(), ['ca.crt', 'private.key']);
  t.equal(Buffer.from(secret.data['ca.crt'] ?? '', 'base64').toString(), cas[0]?.rootPem);
  t.match(Buffer.from(secret.data['private.key'] ?? '', 'base64').toString(), /PRIVATE KEY/);
  t.equal(secret.metadata.labels[MANAGED_LABEL], 'true');
  t.equal(secret.metadata.labels['app.kubernetes.io/name'], 'flomesh.io');

  const reloaded = await createBuiltinCa({ storage: storage() });
  t.equal(reloaded.created, false);
  t.equal(reloaded.rootPem, cas[0]?.rootPem);
});

t.test('a root stored by someone else (FSM) is loaded', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const first = await createBuiltinCa({ storage: createKubeSecretStorage({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system' }) });
  const data = (api.get('v1', 'Secret', 'fsm-system', 'fsm-ca-bundle') as unknown as { data: Record<string, string> }).data;
  api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fsm-ca-bundle', namespace: 'other-ns' }, data });
  const other = await createBuiltinCa({ storage: createKubeSecretStorage({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'other-ns' }) });
  t.equal(other.created, false);
  const leaf = await other.issue({ commonName: 'a.b.cluster.local', dnsNames: ['a.b.cluster.local'], uris: [], validityMs: 60_000, keyType: { kind: 'ecdsa-p256' } });
  t.same(verifyChain(first.rootPem, leaf.certChainPem), { ok: true });
});

t.test('put/get/list/delete, and workload certificates survive a controller restart', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const storage = createKubeSecretStorage({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system' });
  await storage.put('x-one', { a: '1' });
  await storage.put('x-one', { a: '2', b: 'β' });
  t.same(await storage.get('x-one'), { a: '2', b: 'β' });
  t.same(await storage.list('x-'), ['x-one']);
  await storage.delete('x-one');
  await storage.delete('x-one');
  t.equal(await storage.get('x-one'), undefined);

  const boot = async () => {
    const s = createKubeSecretStorage({ client: createKubeClient({ kubeConfig: api.kubeConfig() }), namespace: 'fsm-system' });
    const m = createCertificateManager({ issuer: await createBuiltinCa({ storage: s }), store: s });
    await m.start();
    return m;
  };
  const m1 = await boot();
  const c1 = await m1.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  m1.close();
  const m2 = await boot();
  t.teardown(() => m2.close());
  const c2 = await m2.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  t.equal(c2.certChainPem, c1.certChainPem);
  t.equal(c2.privateKeyPem, c1.privateKeyPem);
  t.equal(m2.issuedCount, 0);
});

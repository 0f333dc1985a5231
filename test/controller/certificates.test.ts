import t, { type Test } from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControllerCertificates } from '../../src/controller/certificates.js';
import { createModelStore } from '../../src/model/store.js';
import { silentLogger } from '../../src/shared/logger.js';
import { ns, pod } from '../model/fixtures/objects.js';

const UUID = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';

function view() {
  const store = createModelStore();
  store.apply([ns('shop'), pod('shop', 'buyer-1', { sa: 'buyer', uuid: UUID })].map((object) => ({ type: 'upsert' as const, object })));
  return store;
}

async function stateDir(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('deleting only the CA files while workload certificates remain: refused, naming how to rotate and the flag', async (t) => {
  const dir = await stateDir(t);
  const store = view();
  const first = await createControllerCertificates({ view: store, trustDomain: 'cluster.local', stateDir: dir, logger: silentLogger });
  await first.ensure(store.proxies());
  t.ok(first.manager.getWorkload('buyer.shop'), 'a workload certificate was issued and stored');
  first.close();

  await rm(join(dir, 'fsm-ca-bundle'), { recursive: true });
  await t.rejects(
    createControllerCertificates({ view: store, trustDomain: 'cluster.local', stateDir: dir, logger: silentLogger }),
    /^E4009: no root CA "fsm-ca-bundle" in files in .*, but 1 certificate issued from a root is there \(fsm-workload-cert-buyer\.shop\): the root was removed\. A new root would silently break trust .* rotate deliberately: declare the new root with a MeshRootCertificate .*; to create a new root anyway, pass --allow-new-root \(FSM_ALLOW_NEW_ROOT=true\)$/,
  );
  const second = await createControllerCertificates({ view: store, trustDomain: 'cluster.local', stateDir: dir, allowNewRoot: true, logger: silentLogger });
  t.equal(second.manager.getWorkload('buyer.shop'), undefined, 'with --allow-new-root: a new root, and the old leaves are dropped');
  second.close();
});

t.test('an unusable state directory is named with the flag that sets it', async (t) => {
  const dir = await stateDir(t);
  await writeFile(join(dir, 'file'), 'not a directory');
  const bad = join(dir, 'file', 'state');
  await t.rejects(
    createControllerCertificates({ view: view(), trustDomain: 'cluster.local', stateDir: bad, logger: silentLogger }),
    new RegExp(`^state directory ${bad} \\(set with --state-dir\\) is not usable: mkdir ${bad}: not a directory \\(ENOTDIR\\)$`),
  );
});

import t from 'tap';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileSecretStorage } from '../../../src/certificate/storage/file-storage.js';
import { tempDir } from '../fixtures/helpers.js';

t.test('file storage: entries are 0700 directories of 0600 files', async (t) => {
  const { dir, cleanup } = await tempDir('fsm-files-');
  t.teardown(cleanup);
  const s = createFileSecretStorage({ dir: join(dir, 'state') });
  t.same(await s.createOrLoad('fsm-ca-bundle', { 'ca.crt': 'C1', 'private.key': 'K1' }), { data: { 'ca.crt': 'C1', 'private.key': 'K1' }, created: true });
  t.same(await s.createOrLoad('fsm-ca-bundle', { 'ca.crt': 'C2', 'private.key': 'K2' }), { data: { 'ca.crt': 'C1', 'private.key': 'K1' }, created: false });
  t.equal(await readFile(join(dir, 'state', 'fsm-ca-bundle', 'ca.crt'), 'utf8'), 'C1');
  await s.put('fsm-workload-cert-a.b', { 'tls.crt': 'x', 'tls.key': 'y' });
  t.equal((await stat(join(dir, 'state', 'fsm-workload-cert-a.b', 'tls.key'))).mode & 0o777, 0o600);
  t.equal((await stat(join(dir, 'state', 'fsm-workload-cert-a.b'))).mode & 0o777, 0o700);
  await s.put('fsm-workload-cert-a.b', { 'tls.crt': 'x2' });
  t.same(await s.get('fsm-workload-cert-a.b'), { 'tls.crt': 'x2' }, 'keys not in the new data are removed');
  t.same(await s.list('fsm-workload-cert-'), ['fsm-workload-cert-a.b']);
  await s.delete('fsm-workload-cert-a.b');
  t.equal(await s.get('fsm-workload-cert-a.b'), undefined);
  t.same(await s.list(''), ['fsm-ca-bundle']);
  await t.rejects(s.put('../escape', { a: 'b' }), /invalid secret name/);
  await t.rejects(s.put('ok', { '../x': 'b' }), /invalid secret key/);
});

import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { waitFor } from '../support/wait-for.js';
import { meshRootCertificateYaml, pemsOf } from '../support/mesh-root-certificate-yaml.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';

// Root rotation driven by MeshRootCertificate objects in the control-plane
// namespace: the proxies' trust bundle and signer follow the phases.

const BOOKBUYER = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';

t.test('MeshRootCertificate phases: bundle with both roots, leaves from the new root, old root dropped', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-roots');
  const rootsFile = join(dir, '02-roots.yaml');
  await writeFile(rootsFile, meshRootCertificateYaml('root-a', 'fsm-ca-bundle', 'active'));
  const o = parseControllerOptions(['--source', `file:${dir}`, '--state-dir', stateDir, '--quiet-ms', '20', '--max-delay-ms', '100',
    '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {});
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  await controller.start();
  await waitFor('ready', () => controller.isReady());

  const cert = () => (controller.configs().get(BOOKBUYER)?.config as { Certificate?: { CertChain: string; IssuingCA: string } }).Certificate;
  const signedBy = (root: string) => new X509Certificate(cert()!.CertChain).checkIssued(new X509Certificate(root));
  const before = pemsOf(cert()!.IssuingCA);
  t.equal(before.length, 1, 'one root while root-a is active alone');
  const rootA = before[0]!;
  t.ok(signedBy(rootA));

  // Phase 1: distribute a bundle with both roots; leaves still from root-a.
  await writeFile(rootsFile, meshRootCertificateYaml('root-a', 'fsm-ca-bundle', 'active') + '---\n' + meshRootCertificateYaml('root-b', 'root-b', 'validatingRollout'));
  await waitFor('a two-root bundle', () => pemsOf(cert()!.IssuingCA).length === 2);
  const rootB = pemsOf(cert()!.IssuingCA).find((p) => p !== rootA)!;
  t.ok(rootB, 'the bundle carries the new root');
  t.ok(signedBy(rootA), 'phase 1: leaves are still issued by the old root');

  // Phase 2: issue from the new root; both stay trusted.
  await writeFile(rootsFile, meshRootCertificateYaml('root-a', 'fsm-ca-bundle', 'validatingRollout') + '---\n' + meshRootCertificateYaml('root-b', 'root-b', 'issuingRollout'));
  await waitFor('a leaf from root-b', () => signedBy(rootB));
  t.equal(pemsOf(cert()!.IssuingCA).length, 2, 'phase 2: the bundle still has both roots');

  // Phase 3: the old root is dropped.
  await writeFile(rootsFile, meshRootCertificateYaml('root-a', 'fsm-ca-bundle', 'inactive') + '---\n' + meshRootCertificateYaml('root-b', 'root-b', 'active'));
  await waitFor('root-a dropped', () => pemsOf(cert()!.IssuingCA).length === 1);
  t.same(pemsOf(cert()!.IssuingCA), [rootB], 'phase 3: only the new root is trusted');
  t.ok(signedBy(rootB));
});

import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createAdsClient } from '../../server/transport/ads-client.js';
import { createBuiltinCa } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../src/certificate/manager.js';
import { createFileSecretStorage } from '../../src/certificate/storage/file-storage.js';
import type { WorkloadCertificate } from '../../src/certificate/types.js';
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { waitFor } from '../support/wait-for.js';
import { hexSerial } from '../support/hex-serial.js';
import { meshRootCertificateYaml, pemsOf } from '../support/mesh-root-certificate-yaml.js';
import { httpsGet } from '../support/https-get.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';

// The controller's serving certificate (--repo-tls, --xds-tls) is renewed
// before it expires and its client CA follows root rotation, without
// restarting the servers or dropping established streams.

const BOOKBUYER = { uuid: '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01', serviceAccount: 'bookbuyer', namespace: 'bookbuyer' };
const CN = `${BOOKBUYER.uuid}.sidecar.bookbuyer.bookbuyer`;

interface ClientTls {
  key: string;
  cert: string;
  ca: string;
}
const clientTls = (c: WorkloadCertificate, ca: string): ClientTls => ({ key: c.privateKeyPem, cert: c.certChainPem, ca });

/** The serial of the certificate a new TLS connection to `port` is served, verified against `tls.ca`. */
function servedSerial(port: number, tls: ClientTls, alpn: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: [alpn], ...tls }, () => {
      const serial = hexSerial(socket.getPeerCertificate().serialNumber);
      socket.destroy();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

t.test('serving certificate renewal and root rotation reach new connections; established streams stay', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-serving');
  const storage = createFileSecretStorage({ dir: stateDir });
  // The serving certificate is issued at start, before the MeshConfig is read
  // (24 h then). A previous run left one that lives 20 s in the state dir: the
  // controller reuses it, and renews it after about 13 s (at two thirds of its
  // life; from then on with the mesh's validity). The margins keep a loaded
  // machine from renewing it before the first look, and the steps before the
  // renewal from meeting it expired.
  const caA = await createBuiltinCa({ storage });
  const previousRun = createCertificateManager({ issuer: caA, store: storage, validity: () => 20_000 });
  const ns = 'fsm-system';
  const leftOver = await previousRun.issueWorkload({
    namespace: ns,
    serviceAccount: 'fsm-controller',
    hostnames: ['fsm-controller', `fsm-controller.${ns}`, `fsm-controller.${ns}.svc`, `fsm-controller.${ns}.svc.cluster.local`, 'localhost'],
  });
  previousRun.close();
  // The next root exists before any MeshRootCertificate names it, so a client can hold a certificate from it early.
  const caB = await createBuiltinCa({ storage, secretName: 'root-b' });
  // Client certificates are issued before the controller starts, so the first look at the serving certificate comes right after start.
  const issuerA = createCertificateManager({ issuer: caA });
  const issuerB = createCertificateManager({ issuer: caB });
  t.teardown(() => issuerA.close());
  t.teardown(() => issuerB.close());
  const bothRoots = issuerA.trustBundlePem() + issuerB.trustBundlePem();
  const fromA = clientTls(await issuerA.issueBootstrap(BOOKBUYER), bothRoots);
  const fromB = clientTls(await issuerB.issueBootstrap(BOOKBUYER), bothRoots);
  const o = parseControllerOptions(['--source', `file:${dir}`, '--state-dir', stateDir, '--repo-tls', '--xds-tls', '--quiet-ms', '20', '--max-delay-ms', '100',
    '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {});
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  const ports = await controller.start();
  const first = await servedSerial(ports.repo, fromA, 'http/1.1');
  await waitFor('ready', () => controller.isReady());

  const codebase = `https://127.0.0.1:${ports.repo}/repo/fsm-sidecar/${CN}/`;
  const grpcCreds = (c: ClientTls) => grpc.credentials.createSsl(Buffer.from(c.ca), Buffer.from(c.key), Buffer.from(c.cert), { checkServerIdentity: () => undefined });
  const xdsAddress = `127.0.0.1:${ports.xds}`;

  t.equal(first, hexSerial(leftOver.serialNumber), 'the persisted serving certificate is reused at start');
  t.equal(await servedSerial(ports.xds, fromA, 'h2'), first, 'both ports serve the same certificate');
  t.equal(await httpsGet(codebase, fromA), 200, 'the repo serves a proxy with a certificate from the mesh root');

  const established = createAdsClient({ address: xdsAddress, node: { id: CN, cluster: 'bookbuyer' }, credentials: grpcCreds(fromA) });
  t.teardown(() => established.close());
  established.subscribe(TypeUrl.PipySidecarConfig, []);
  const initial = await established.next({ timeoutMs: 10_000 });
  t.equal(initial.resources.length, 1, 'an xDS stream is established');

  // Renewal: new connections see a new certificate, on both ports.
  let renewed = first;
  await waitFor('a renewed serving certificate', async () => (renewed = await servedSerial(ports.repo, fromA, 'http/1.1')) !== first);
  t.not(renewed, first, `the repo serves a new serial (${first} → ${renewed})`);
  let renewedXds = first;
  await waitFor('the xDS port renewed too', async () => (renewedXds = await servedSerial(ports.xds, fromA, 'h2')) !== first);
  t.not(renewedXds, first, 'the xDS port serves a new serial');
  t.equal(await httpsGet(codebase, fromA), 200, 'a new repo connection after renewal works');
  const fresh = createAdsClient({ address: xdsAddress, node: { id: CN, cluster: 'bookbuyer' }, credentials: grpcCreds(fromA) });
  t.teardown(() => fresh.close());
  fresh.subscribe(TypeUrl.PipySidecarConfig, []);
  t.equal((await fresh.next({ timeoutMs: 10_000 })).resources.length, 1, 'a new xDS stream after renewal works');

  // The established stream outlived the renewal: it still receives updates.
  established.ack(initial);
  const nextUpdate = established.next({ timeoutMs: 15_000 });
  const split = join(dir, '50-traffic-split.yaml');
  await writeFile(split, (await readFile(split, 'utf8')).replace(/weight: 50\n(\s+- service: bookstore-v2\n\s+)weight: 50/, 'weight: 90\n$1weight: 10'));
  const update = await nextUpdate;
  t.not(update.versionInfo, initial.versionInfo, 'the stream opened before the renewal still receives new versions');

  // Root rotation: before any MeshRootCertificate names root-b, its certificates are refused.
  t.not(await httpsGet(codebase, fromB), 200, 'a certificate from a root the mesh does not trust is refused');
  const early = createAdsClient({ address: xdsAddress, node: { id: CN, cluster: 'bookbuyer' }, credentials: grpcCreds(fromB) });
  t.teardown(() => early.close());
  early.subscribe(TypeUrl.PipySidecarConfig, []);
  t.equal((await early.status).code, grpc.status.UNAVAILABLE, 'by the xDS port too');
  const rootsFile = join(dir, '02-roots.yaml');
  await writeFile(rootsFile, meshRootCertificateYaml('root-a', 'fsm-ca-bundle', 'active') + '---\n' + meshRootCertificateYaml('root-b', 'root-b', 'validatingRollout'));
  const bundle = () => (controller.configs().get(BOOKBUYER.uuid)?.config as { Certificate?: { IssuingCA: string } } | undefined)?.Certificate?.IssuingCA ?? '';
  await waitFor('a two-root bundle', () => pemsOf(bundle()).length === 2);
  t.ok(pemsOf(bundle()).some((p) => new X509Certificate(p).fingerprint256 === new X509Certificate(caB.trustBundlePem()).fingerprint256), 'root-b is in the mesh bundle');
  await waitFor('root-b accepted by the repo', async () => (await httpsGet(codebase, fromB)) === 200, 5_000);
  t.pass('after the rotation the repo accepts a certificate from the new root');
  const rotated = createAdsClient({ address: xdsAddress, node: { id: CN, cluster: 'bookbuyer' }, credentials: grpcCreds(fromB) });
  t.teardown(() => rotated.close());
  rotated.subscribe(TypeUrl.PipySidecarConfig, []);
  t.equal((await rotated.next({ timeoutMs: 10_000 })).resources.length, 1, 'and so does the xDS port');
  t.equal(await httpsGet(codebase, fromA), 200, 'certificates from the old root are still accepted while it validates');
});

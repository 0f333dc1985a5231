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
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { createPipyFetcher } from '../support/pipy-fetcher.js';
import { httpsGet } from '../support/https-get.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';

// --repo-tls and --xds-tls: proxies authenticate with bootstrap certificates
// from the mesh CA and can read only their own configuration.

const BOOKBUYER = { uuid: '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01', serviceAccount: 'bookbuyer', namespace: 'bookbuyer' };
const BOOKSTORE_V1 = { uuid: '3a5c7e9b-2d4f-4a6c-8e0b-1c3e5a7b9d03', serviceAccount: 'bookstore', namespace: 'bookstore' };
const cn = (p: typeof BOOKBUYER) => `${p.uuid}.sidecar.${p.serviceAccount}.${p.namespace}`;

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const end = Date.now() + 15_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts a controller on the bookstore copy with `tls` flags and waits for
 * ready; returns its ports and a bootstrap certificate for bookbuyer from the
 * same mesh CA (loaded from the state dir).
 */
async function startReady(t: { teardown(fn: () => unknown): void }, dir: string, stateDir: string, tls: string[]) {
  const options = parseControllerOptions(
    ['--source', `file:${dir}`, '--state-dir', stateDir, ...tls, '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (options === 'help') throw new Error('unexpected help');
  const controller = createController(options);
  t.teardown(() => controller.close());
  const ports = await controller.start();
  await waitFor('controller ready', () => controller.isReady());
  const ca = await createBuiltinCa({ storage: createFileSecretStorage({ dir: stateDir }) });
  const issuer = createCertificateManager({ issuer: ca });
  t.teardown(() => issuer.close());
  return { controller, ports, issuer, buyer: await issuer.issueBootstrap(BOOKBUYER) };
}

t.test('repo and xDS ports authenticate proxies by their bootstrap certificate', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-tls');
  const { controller, ports, issuer, buyer } = await startReady(t, dir, stateDir, ['--repo-tls', '--xds-tls']);
  const caPem = issuer.trustBundlePem();
  const buyerTls = { key: buyer.privateKeyPem, cert: buyer.certChainPem, ca: caPem };
  const base = `https://127.0.0.1:${ports.repo}/repo/fsm-sidecar`;

  t.equal(await httpsGet(`${base}/${cn(BOOKBUYER)}/`, buyerTls), 200, 'a proxy reads its own codebase');
  t.equal(await httpsGet(`${base}/${cn(BOOKBUYER)}/config.json`, buyerTls), 200, 'and its config');
  t.equal(await httpsGet(`${base}/${cn(BOOKSTORE_V1)}/config.json`, buyerTls), 403, "but not another proxy's config (private key)");
  t.not(await httpsGet(`${base}/${cn(BOOKBUYER)}/`, { ca: caPem }), 200, 'no client certificate: refused');

  const fetcher = createPipyFetcher({ url: `${base}/${cn(BOOKBUYER)}/`, intervalMs: 200, tls: { ...buyerTls, servername: 'localhost' } as typeof buyerTls });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  t.ok(fetcher.files.get('/config.json'), 'a Pipy-like fetcher with --tls-cert/--tls-key/--tls-trusted loads its config');

  const creds = (cert: { privateKeyPem: string; certChainPem: string }) =>
    grpc.credentials.createSsl(Buffer.from(caPem), Buffer.from(cert.privateKeyPem), Buffer.from(cert.certChainPem), { checkServerIdentity: () => undefined });
  const address = `127.0.0.1:${ports.xds}`;

  const own = createAdsClient({ address, node: { id: cn(BOOKBUYER), cluster: 'bookbuyer' }, credentials: creds(buyer) });
  t.teardown(() => own.close());
  own.subscribe(TypeUrl.PipySidecarConfig, []);
  const res = await own.next({ timeoutMs: 5000 });
  t.equal(res.resources.length, 1, 'xDS: the proxy receives its own config');
  t.equal(res.resources[0]?.message?.proxy, cn(BOOKBUYER), 'named by its node id');
  own.subscribe(TypeUrl.Secret, []);
  const secrets = await own.next({ timeoutMs: 5000 });
  t.same(secrets.resources.map((r) => r.name).sort(), ['bookbuyer.bookbuyer', 'root-cert-for-mtls'], 'and its SDS secrets');

  const impostor = createAdsClient({ address, node: { id: cn(BOOKSTORE_V1), cluster: 'bookstore' }, credentials: creds(buyer) });
  t.teardown(() => impostor.close());
  impostor.subscribe(TypeUrl.PipySidecarConfig, []);
  const denied = await impostor.status;
  t.equal(denied.code, grpc.status.PERMISSION_DENIED, "asking for another proxy's node id is refused");
  t.match(denied.details, /^E5010: node id ".*" does not match the client certificate/);

  const workload = await issuer.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'bookbuyer' });
  const malformed = createAdsClient({ address, node: { id: cn(BOOKBUYER), cluster: 'bookbuyer' }, credentials: creds(workload) });
  t.teardown(() => malformed.close());
  malformed.subscribe(TypeUrl.PipySidecarConfig, []);
  const bad = await malformed.status;
  t.equal(bad.code, grpc.status.UNAUTHENTICATED, 'a certificate whose CN is not a bootstrap CN is refused');
  t.match(bad.details, /^E5001: bootstrap CN "[^"]+": /, 'the code once, then the reason');

  const stranger = await issuer.issueBootstrap({ uuid: '99999999-9999-4999-8999-999999999999', serviceAccount: 'bookbuyer', namespace: 'bookbuyer' });
  const unknown = createAdsClient({ address, node: { id: `99999999-9999-4999-8999-999999999999.sidecar.bookbuyer.bookbuyer`, cluster: 'x' }, credentials: creds(stranger) });
  t.teardown(() => unknown.close());
  unknown.subscribe(TypeUrl.PipySidecarConfig, []);
  const gone = await unknown.status;
  t.equal(gone.code, grpc.status.PERMISSION_DENIED, 'an unknown proxy is refused');
  t.match(gone.details, /E5002: no proxy/);
});

t.test('the serving certificate issued at start follows the MeshConfig validity once it is read', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-tls-validity');
  const meshConfig = join(dir, '01-mesh-config.yaml');
  await writeFile(meshConfig, (await readFile(meshConfig, 'utf8')).replace('serviceCertValidityDuration: 24h', 'serviceCertValidityDuration: 1h'));
  const { ports, issuer, buyer } = await startReady(t, dir, stateDir, ['--repo-tls']);
  const served = await new Promise<{ validFrom: number; validTo: number }>((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: ports.repo, servername: 'localhost', key: buyer.privateKeyPem, cert: buyer.certChainPem, ca: issuer.trustBundlePem() }, () => {
      const peer = socket.getPeerCertificate();
      socket.destroy();
      resolve({ validFrom: Date.parse(peer.valid_from), validTo: Date.parse(peer.valid_to) });
    });
    socket.on('error', reject);
  });
  t.equal(served.validTo - served.validFrom, 3_600_000, 'the repo port serves a certificate valid for the mesh validity, not the 24 h default');
});

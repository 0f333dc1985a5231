import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { createXdsServer } from '../../../server/transport/grpc-server.js';
import { createBuiltinCa } from '../../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../../src/certificate/manager.js';
import { createFileSecretStorage } from '../../../src/certificate/storage/file-storage.js';
import type { WorkloadCertificate } from '../../../src/certificate/types.js';
import { createFakeWatcher } from '../../../server/testing/fake-watcher.js';
import { connect, startServer } from '../../support/xds-harness.js';
import { hexSerial } from '../../support/hex-serial.js';

// XdsServer `tls` + `setTls`: new key material applies to new connections
// without rebinding; established streams keep going.

async function pki(t: Test, name: string) {
  const dir = await mkdtemp(join(tmpdir(), `xds-tls-rotation-${name}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const manager = createCertificateManager({ issuer: await createBuiltinCa({ storage: createFileSecretStorage({ dir }) }) });
  t.teardown(() => manager.close());
  const serving = await manager.issueWorkload({ namespace: 'xds', serviceAccount: 'server', hostnames: ['localhost'] });
  const client = await manager.issueWorkload({ namespace: 'xds', serviceAccount: 'client' });
  return { ca: manager.trustBundlePem(), serving, client };
}

const material = (p: { ca: string; serving: WorkloadCertificate }) => ({ key: p.serving.privateKeyPem, cert: p.serving.certChainPem, ca: p.ca });

function servedSerial(port: number, ca: string, client: WorkloadCertificate): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2'], ca, key: client.privateKeyPem, cert: client.certChainPem }, () => {
      resolve(hexSerial(s.getPeerCertificate().serialNumber));
      s.destroy();
    });
    s.on('error', reject);
  });
}

t.test('setTls swaps serving certificate and client CA for new connections only', async (t) => {
  const a = await pki(t, 'a');
  const b = await pki(t, 'b');
  const roots = a.ca + b.ca;
  const { address, watcher, server } = await startServer(t, { tls: material(a) });
  const port = Number(address.split(':')[1]);
  const creds = (c: WorkloadCertificate) =>
    grpc.credentials.createSsl(Buffer.from(roots), Buffer.from(c.privateKeyPem), Buffer.from(c.certChainPem), { checkServerIdentity: () => undefined });
  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);

  t.equal(await servedSerial(port, roots, a.client), hexSerial(a.serving.serialNumber), 'serves the initial certificate');
  const established = connect(t, address, { credentials: creds(a.client) });
  established.subscribe(TypeUrl.Listener, []);
  const first = await established.next({ timeoutMs: 5000 });
  t.equal(first.versionInfo, 'v1');

  server.setTls(material(b));
  t.equal(await servedSerial(port, roots, b.client), hexSerial(b.serving.serialNumber), 'a new connection is served the new certificate');
  const fresh = connect(t, address, { credentials: creds(b.client) });
  fresh.subscribe(TypeUrl.Listener, []);
  t.equal((await fresh.next({ timeoutMs: 5000 })).versionInfo, 'v1', 'a client of the new CA is accepted');
  const stale = connect(t, address, { credentials: creds(a.client) });
  stale.subscribe(TypeUrl.Listener, []);
  t.equal((await stale.status).code, grpc.status.UNAVAILABLE, 'a new connection with a certificate of the old CA is refused');

  established.ack(first);
  watcher.set(TypeUrl.Listener, 'v2', [{ name: 'l', bytes: Buffer.from('v2') }]);
  t.equal((await established.next({ timeoutMs: 5000 })).versionInfo, 'v2', 'the stream established before the swap still receives updates');
});

t.test('setTls needs a server created with tls; tls and credentials are exclusive', async (t) => {
  const a = await pki(t, 'c');
  const plain = createXdsServer({ watcher: createFakeWatcher() });
  t.throws(() => plain.setTls(material(a)), /not created with `tls`/);
  t.throws(
    () => createXdsServer({ watcher: createFakeWatcher(), tls: material(a), credentials: grpc.ServerCredentials.createInsecure() }),
    /either `tls` or `credentials`/,
  );
});

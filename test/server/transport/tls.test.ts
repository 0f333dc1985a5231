import * as grpc from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { StatusCode, XdsStatusError } from '../../../server/errors.js';
import type { PeerInfo } from '../../../server/stream-types.js';
import { connect, startServer } from '../../support/xds-harness.js';

/** A CA, a server certificate for localhost and a client certificate with CN `cn`, made by the openssl CLI. */
function makePki(dir: string, cn: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '1');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, subject, ext] of [
    ['server', '/CN=localhost', 'server.ext'],
    ['client', `/CN=${cn}`, ''],
  ] as const) {
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...(ext ? ['-extfile', ext] : []));
  }
  const read = (f: string) => readFileSync(join(dir, f));
  return { ca: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

t.test('mutual TLS: the client certificate reaches callbacks and the authorizer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xds-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pki = makePki(dir, 'node-1.bookstore');
  let peer: PeerInfo | undefined;
  const { address, watcher } = await startServer(t, {
    credentials: grpc.ServerCredentials.createSsl(pki.ca, [{ private_key: pki.serverKey, cert_chain: pki.serverCert }], true),
    callbacks: { onStreamOpen: (_id, _type, p) => (peer = p) },
    authorize: ({ peerCertificate, node }) => {
      const cn = peerCertificate?.subject?.CN;
      if (cn !== `${node.id}.bookstore`) throw new XdsStatusError(StatusCode.PERMISSION_DENIED, `E5001 certificate ${cn} is not node ${node.id}`);
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const credentials = grpc.credentials.createSsl(pki.ca, pki.clientKey, pki.clientCert, { checkServerIdentity: () => undefined });
  const port = address.split(':')[1];
  const c = connect(t, `localhost:${port}`, { credentials });
  c.subscribe(TypeUrl.Cluster, []);
  t.equal((await c.next()).versionInfo, 'v1');
  t.equal(peer?.certificate?.subject?.CN, 'node-1.bookstore');

  const impostor = connect(t, `localhost:${port}`, { credentials, node: { id: 'node-2', cluster: 'x' } });
  impostor.subscribe(TypeUrl.Cluster, []);
  t.same(await impostor.status, { code: StatusCode.PERMISSION_DENIED, details: 'E5001 certificate node-1.bookstore is not node node-2' });
});

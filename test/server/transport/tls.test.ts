import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { StatusCode, XdsStatusError } from '../../../server/errors.js';
import type { PeerInfo } from '../../../server/stream-types.js';
import { connect, startServer } from '../../support/xds-harness.js';
import { createTestPki } from '../pipy-repo/fixtures/test-pki.js';

t.test('mutual TLS: the client certificate reaches callbacks and the authorizer', async (t) => {
  const pki = await createTestPki();
  const ca = Buffer.from(pki.caPem);
  const client = await pki.client('node-1.bookstore');
  let peer: PeerInfo | undefined;
  const { address, watcher } = await startServer(t, {
    credentials: grpc.ServerCredentials.createSsl(ca, [{ private_key: Buffer.from(pki.server.key), cert_chain: Buffer.from(pki.server.cert) }], true),
    callbacks: { onStreamOpen: (_id, _type, p) => (peer = p) },
    authorize: ({ peerCertificate, node }) => {
      const cn = peerCertificate?.subject?.CN;
      if (cn !== `${node.id}.bookstore`) throw new XdsStatusError(StatusCode.PERMISSION_DENIED, `E5001 certificate ${cn} is not node ${node.id}`);
    },
  });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const credentials = grpc.credentials.createSsl(ca, Buffer.from(client.key), Buffer.from(client.cert), { checkServerIdentity: () => undefined });
  const port = address.split(':')[1];
  const c = connect(t, `localhost:${port}`, { credentials });
  c.subscribe(TypeUrl.Cluster, []);
  t.equal((await c.next()).versionInfo, 'v1');
  t.equal(peer?.certificate?.subject?.CN, 'node-1.bookstore');

  const impostor = connect(t, `localhost:${port}`, { credentials, node: { id: 'node-2', cluster: 'x' } });
  impostor.subscribe(TypeUrl.Cluster, []);
  t.same(await impostor.status, { code: StatusCode.PERMISSION_DENIED, details: 'E5001 certificate node-1.bookstore is not node node-2' });
});

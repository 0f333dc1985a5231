import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { StatusCode } from '../../../server/errors.js';
import { createBuiltinCa } from '../../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../../src/certificate/manager.js';
import { createFileSecretStorage } from '../../../src/certificate/storage/file-storage.js';
import { waitFor } from '../../support/wait-for.js';
import { connect, startServer } from '../../support/xds-harness.js';

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

function raw(t: Test, port: number) {
  const socket: Socket = netConnect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  const state = { bytes: 0, closed: false };
  socket.on('data', (d: Buffer) => (state.bytes += d.length));
  socket.on('close', () => (state.closed = true));
  return { socket, state };
}

const portOf = (address: string) => Number(address.split(':')[1]);

t.test('connections that do not send the HTTP/2 preface in time, or send something else, are closed; real clients are served', async (t) => {
  const { address, watcher } = await startServer(t, { limits: { handshakeTimeoutMs: 300 }, keepalive: { maxConnectionIdleMs: 60_000 } });
  const port = portOf(address);
  const silent = raw(t, port);
  const partial = raw(t, port);
  partial.socket.write(PREFACE.slice(0, 10));
  const http1 = raw(t, port);
  http1.socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
  await waitFor('the HTTP/1.1 connection is closed', () => http1.state.closed);
  await waitFor('the silent connection is closed', () => silent.state.closed);
  await waitFor('the partial preface is closed', () => partial.state.closed);

  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);
  const client = connect(t, address);
  client.subscribe(TypeUrl.Listener, []);
  t.equal((await client.next({ timeoutMs: 10_000 })).versionInfo, 'v1', 'a gRPC client is served');
  const past = raw(t, port);
  past.socket.write(PREFACE);
  await new Promise((r) => setTimeout(r, 900));
  t.equal(past.state.closed, false, 'a connection past its preface is left to the HTTP/2 server');
  t.ok(past.state.bytes > 0, "and got the server's SETTINGS");
});

t.test('a connection past its preface that opens no stream is closed after maxConnectionIdleMs', async (t) => {
  const { address } = await startServer(t, { keepalive: { maxConnectionIdleMs: 300 } });
  const idle = raw(t, portOf(address));
  idle.socket.write(PREFACE);
  idle.socket.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), () => undefined);
  await waitFor('the idle HTTP/2 connection is closed', () => idle.state.closed);
  t.ok(idle.state.bytes > 0, 'after the server spoke HTTP/2 (SETTINGS, then GOAWAY)');
});

t.test('connections past maxConnections are closed as they are accepted; a freed slot serves a client', async (t) => {
  const { address, watcher } = await startServer(t, { limits: { maxConnections: 2 } });
  const port = portOf(address);
  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);
  const held = [raw(t, port), raw(t, port)];
  for (const h of held) h.socket.write(PREFACE);
  await waitFor('both held connections got SETTINGS', () => held.every((h) => h.state.bytes > 0));
  const extra = raw(t, port);
  await waitFor('the third is closed', () => extra.state.closed);
  t.equal(extra.state.bytes, 0);
  held[0]?.socket.destroy();
  const client = connect(t, address);
  client.subscribe(TypeUrl.Listener, []);
  t.equal((await client.next({ timeoutMs: 10_000 })).versionInfo, 'v1');
});

t.test('with TLS, a connection that does not finish the handshake in time is closed; a client that does gets served', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'xds-gate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const manager = createCertificateManager({ issuer: await createBuiltinCa({ storage: createFileSecretStorage({ dir }) }) });
  t.teardown(() => manager.close());
  const serving = await manager.issueWorkload({ namespace: 'xds', serviceAccount: 'server', hostnames: ['localhost'] });
  const client = await manager.issueWorkload({ namespace: 'xds', serviceAccount: 'client' });
  const ca = manager.trustBundlePem();
  const { address, watcher } = await startServer(t, { tls: { key: serving.privateKeyPem, cert: serving.certChainPem, ca }, limits: { handshakeTimeoutMs: 300 } });
  const port = portOf(address);
  const silent = raw(t, port);
  await waitFor('the silent TCP connection is closed', () => silent.state.closed);
  // A finished handshake without the preface is closed too.
  const quiet = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ALPNProtocols: ['h2'], ca, key: client.privateKeyPem, cert: client.certChainPem });
  t.teardown(() => quiet.destroy());
  quiet.on('error', () => undefined);
  // Read what the server sends (its SETTINGS), so the close is seen.
  quiet.resume();
  let secured = false;
  let quietClosed = false;
  quiet.once('secureConnect', () => (secured = true));
  quiet.once('close', () => (quietClosed = true));
  await waitFor('the TLS connection without a preface is closed', () => quietClosed);
  t.equal(secured, true, 'after its handshake finished');

  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);
  const credentials = grpc.credentials.createSsl(Buffer.from(ca), Buffer.from(client.privateKeyPem), Buffer.from(client.certChainPem), { checkServerIdentity: () => undefined });
  const ads = connect(t, address, { credentials });
  ads.subscribe(TypeUrl.Listener, []);
  t.equal((await ads.next({ timeoutMs: 10_000 })).versionInfo, 'v1');
});

t.test('a node larger than maxNodeBytes ends its stream with INVALID_ARGUMENT naming the limit; others are served', async (t) => {
  const { address, watcher } = await startServer(t, { limits: { maxNodeBytes: 4096 } });
  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);
  for (const delta of [false, true]) {
    const big = connect(t, address, { delta, node: { id: 'big', cluster: 'c', metadata: { blob: 'x'.repeat(8000) } } });
    big.subscribe(TypeUrl.Listener, delta ? ['l'] : []);
    const status = await big.status;
    t.equal(status.code, StatusCode.INVALID_ARGUMENT, delta ? 'delta' : 'SotW');
    t.match(status.details, /^node is 80\d\d bytes \(id, cluster, metadata, user agent\), over the server's limit of 4096$/);
    const longId = connect(t, address, { delta, node: { id: 'i'.repeat(5000), cluster: 'c' } });
    longId.subscribe(TypeUrl.Listener, delta ? ['l'] : []);
    t.equal((await longId.status).code, StatusCode.INVALID_ARGUMENT, 'an id counts too');
  }
  const fits = connect(t, address, { node: { id: 'ok', cluster: 'c', metadata: { blob: 'x'.repeat(3000) } } });
  fits.subscribe(TypeUrl.Listener, []);
  t.equal((await fits.next({ timeoutMs: 10_000 })).versionInfo, 'v1');
});

t.test('by default a 3.9 MB node metadata is refused', async (t) => {
  const { address } = await startServer(t);
  const big = connect(t, address, { node: { id: 'big', cluster: 'c', metadata: { blob: 'x'.repeat(3_900_000) } } });
  big.subscribe(TypeUrl.Listener, []);
  const status = await big.status;
  t.equal(status.code, StatusCode.INVALID_ARGUMENT);
  t.match(status.details, /over the server's limit of 65536$/);
});

t.test('close() stops accepting at once, while open streams drain', async (t) => {
  const { address, watcher, server } = await startServer(t);
  watcher.set(TypeUrl.Listener, 'v1', [{ name: 'l' }]);
  const client = connect(t, address);
  client.subscribe(TypeUrl.Listener, []);
  await client.next({ timeoutMs: 10_000 });
  const closing = server.close({ graceMs: 5000 });
  const refused = await new Promise<string>((resolve) => {
    const socket = netConnect(portOf(address), '127.0.0.1');
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
  });
  t.equal(refused, 'ECONNREFUSED');
  t.equal((await client.status).code, StatusCode.UNAVAILABLE, 'the open stream ends with UNAVAILABLE');
  await closing;
});

import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { PipyRepoServerOptions } from '../../../server/pipy-repo/types.js';
import { waitFor } from '../../support/wait-for.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';
import { createTestPki } from './fixtures/test-pki.js';

const NAME = 'fsm-sidecar/0b9a4d2e-1111-4c3a-9d3e-5f0e1a2b3c4d.sidecar.bookbuyer.bookbuyer';

async function start(t: Test, options: Partial<PipyRepoServerOptions>) {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, {});
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, ...options });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, port };
}

function open(t: Test, port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  const state = { text: '', closed: false };
  socket.on('data', (d: Buffer) => (state.text += d.toString('latin1')));
  socket.on('close', () => (state.closed = true));
  return { socket, state };
}

t.test('connections past maxConnections are closed as they are accepted; the open ones are served', async (t) => {
  // Long idle timeouts do not apply here: the held connections send a partial request and are within its deadline.
  const { server, port } = await start(t, { maxConnections: 3 });
  const held = [open(t, port), open(t, port), open(t, port)];
  for (const h of held) h.socket.write('GET /');
  await waitFor('three connections open', () => server.stats().openSockets === 3);
  const extra = open(t, port);
  await waitFor('the fourth is closed', () => extra.state.closed);
  t.equal(extra.state.text, '', 'without an answer');
  t.equal(server.stats().droppedConnections, 1);
  held[0]?.socket.write(`repo/${NAME}/ HTTP/1.1\r\nhost: h\r\n\r\n`);
  await waitFor('a held connection is answered', () => /^HTTP\/1\.1 200 /.test(held[0]?.state.text ?? ''));
  held[1]?.socket.destroy();
  await waitFor('a slot is free', () => server.stats().openSockets === 2);
  const next = open(t, port);
  next.socket.write(`HEAD /repo/${NAME}/ HTTP/1.1\r\nhost: h\r\n\r\n`);
  await waitFor('the next connection is served', () => /^HTTP\/1\.1 200 /.test(next.state.text));
});

t.test('with TLS, a connection that does not finish its handshake is closed after handshakeTimeoutMs', async (t) => {
  const pki = await createTestPki();
  const { server, port } = await start(t, { tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, authorize: () => true }, handshakeTimeoutMs: 300 });
  const silent = open(t, port);
  const partial = open(t, port);
  partial.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00]));
  await waitFor('the silent connection is closed', () => silent.state.closed);
  await waitFor('the unfinished handshake is closed', () => partial.state.closed);
  t.equal(server.stats().openSockets, 0);
});

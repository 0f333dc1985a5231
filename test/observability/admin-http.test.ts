import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { createAdminServer, type AdminServerOptions } from '../../src/observability/admin-http.js';
import { waitFor } from '../support/wait-for.js';

async function start(t: Test, options: Partial<AdminServerOptions> = {}) {
  const admin = createAdminServer({ listen: '127.0.0.1:0', routes: { '/health/alive': () => ({ status: 200, body: { alive: true } }) }, ...options });
  const { port } = await admin.start();
  t.teardown(() => admin.close());
  return port;
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

t.test('silent, unfinished and idle keep-alive connections are closed after headersTimeoutMs', async (t) => {
  const port = await start(t, { headersTimeoutMs: 300 });
  const silent = open(t, port);
  const partial = open(t, port);
  partial.socket.write('GET /health/alive HTTP/1.1\r\n');
  const idle = open(t, port);
  idle.socket.write('GET /health/alive HTTP/1.1\r\nhost: a\r\n\r\n');
  await waitFor('the silent connection is closed', () => silent.state.closed);
  await waitFor('the unfinished request is closed', () => partial.state.closed);
  await waitFor('the idle keep-alive connection is closed', () => idle.state.closed);
  t.match(partial.state.text, /^HTTP\/1\.1 408 /);
  t.match(idle.state.text, /^HTTP\/1\.1 200 OK\r\n[^]*"alive": true/);
});

t.test('connections past maxConnections are closed as they are accepted', async (t) => {
  const port = await start(t, { maxConnections: 2 });
  const held = [open(t, port), open(t, port)];
  for (const h of held) h.socket.write('GET /health/alive HTTP/1.1\r\n');
  const extra = open(t, port);
  await waitFor('the third is closed', () => extra.state.closed);
  t.equal(extra.state.text, '');
  held[0]?.socket.write('host: a\r\n\r\n');
  await waitFor('a held connection is answered', () => /^HTTP\/1\.1 200 /.test(held[0]?.state.text ?? ''));
});

import { connect, createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { createAdminLinks, type AdminLinks, type LinkPeer } from '../../../server/pipy-repo/admin-links.js';
import { parseRequestHead } from '../../../server/pipy-repo/http1-parser.js';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { PipyRepoServerOptions } from '../../../server/pipy-repo/types.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { waitFor } from '../../support/wait-for.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';
import { createTestPki } from './fixtures/test-pki.js';

const NAME = 'fsm-sidecar/0b9a4d2e-1111-4c3a-9d3e-5f0e1a2b3c4d.sidecar.bookbuyer.bookbuyer';
const PATH = `/repo/${NAME}/`;
const ID = 'c1d5a9e2-7b1f-4f1e-9a43-2d0c9b8e7f61';

async function start(t: Test, options: Partial<PipyRepoServerOptions> = {}) {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, { weight: 50 });
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, ...options });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, port, codebases };
}

interface Opened {
  ws: WebSocket;
  messages: string[];
  closed: Promise<number>;
}

/** Opens an admin link (a `ws` client, which answers pings) from `localAddress`; rejects with the refusal. */
function link(t: Test, url: string, options: WebSocket.ClientOptions = {}): Promise<Opened> {
  const ws = new WebSocket(url, options);
  t.teardown(() => ws.terminate());
  const messages: string[] = [];
  ws.on('message', (d) => messages.push(d.toString()));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(new Error(`${res.statusCode}: ${body.trim()}`)));
    });
    ws.once('error', reject);
  });
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'opened',
    (err: Error) => err.message,
  );

t.test('plain mode: a second link with the same instance id from another address does not end the live one', async (t) => {
  const { server, port, codebases } = await start(t);
  const victim = await link(t, `ws://127.0.0.1:${port}${PATH}${ID}`, { localAddress: '127.0.0.1' });
  await waitFor('the link', () => server.stats().openLinks === 1);
  const answer = await refusal(link(t, `ws://127.0.0.1:${port}${PATH}${ID}`, { localAddress: '127.0.0.2' }));
  t.match(answer, /^409: instance .* is linked from another connection that is alive$/);
  t.equal(victim.ws.readyState, WebSocket.OPEN, 'the first link stays open');
  t.match(server.instances(), [{ instanceId: ID, linked: true, address: /127\.0\.0\.1$/ }]);
  codebases.setConfig(NAME, { weight: 90 });
  await waitFor('reload on the first link', () => victim.messages.length === 1);
  t.same(victim.messages, ['reload']);
});

t.test('plain mode: a reconnect from the same address replaces the link (Pipy after its side of the link died)', async (t) => {
  const { server, port } = await start(t);
  const first = await link(t, `ws://127.0.0.1:${port}${PATH}${ID}`, { localAddress: '127.0.0.1' });
  const second = await link(t, `ws://127.0.0.1:${port}${PATH}${ID}`, { localAddress: '127.0.0.1' });
  await first.closed;
  t.equal(second.ws.readyState, WebSocket.OPEN);
  await waitFor('one link', () => server.stats().openLinks === 1);
  t.match(server.instances(), [{ instanceId: ID, linked: true }]);
});

t.test('links per codebase are capped: a new instance past the cap is refused with 503', async (t) => {
  const { server, port } = await start(t, { maxLinksPerCodebase: 3 });
  for (const id of ['a', 'b', 'c']) await link(t, `ws://127.0.0.1:${port}${PATH}${id}`);
  t.match(await refusal(link(t, `ws://127.0.0.1:${port}${PATH}d`)), /^503: codebase has 3 admin links, the most allowed$/);
  await link(t, `ws://127.0.0.1:${port}${PATH}c`);
  t.equal(server.stats().openLinks, 3, 'a reconnect of a linked instance is not a new one');
});

t.test('TLS: the same client certificate replaces a link; another certificate cannot while the link is alive', async (t) => {
  const pki = await createTestPki();
  const cn = `${NAME.slice('fsm-sidecar/'.length)}.cluster.local`;
  const [own, reissued] = [await pki.client(cn), await pki.client(cn)];
  const { server, port } = await start(t, { tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, authorize: () => true } });
  const url = `wss://127.0.0.1:${port}${PATH}${ID}`;
  const tlsOptions = (pair: { cert: string; key: string }) => ({ ca: pki.caPem, cert: pair.cert, key: pair.key, localAddress: '127.0.0.1' });
  const first = await link(t, url, tlsOptions(own));
  t.match(await refusal(link(t, url, tlsOptions(reissued))), /^409: /, 'another certificate, even from the same address');
  t.equal(first.ws.readyState, WebSocket.OPEN);
  const second = await link(t, url, tlsOptions(own));
  await first.closed;
  t.equal(second.ws.readyState, WebSocket.OPEN, 'the same certificate is the same instance');
  await waitFor('one link', () => server.stats().openLinks === 1);
});

/**
 * The liveness rule with a controlled clock, through a bare loopback server
 * that hands upgrades to the admin links as the repo server does.
 */
async function linksOnLoopback(t: Test, clock: { now: number }) {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, {});
  const links: AdminLinks = createAdminLinks({
    codebases,
    logger: silentLogger,
    pingIntervalMs: 1000,
    maxLinksPerCodebase: 10,
    onLinkChange: () => undefined,
    onReloadResult: () => undefined,
    now: () => clock.now,
  });
  t.teardown(() => links.close());
  const server = createServer((socket: Socket) => {
    socket.once('data', (bytes: Buffer) => {
      const parsed = parseRequestHead(bytes, 16 * 1024);
      if (parsed.kind !== 'request') return void socket.destroy();
      const peer: LinkPeer = { codebase: NAME, instanceId: ID, address: socket.remoteAddress ?? '' };
      const refused = links.admit(peer);
      if (refused) return void socket.end(`HTTP/1.1 ${refused.status} Refused\r\ncontent-length: 0\r\n\r\n`);
      links.accept(parsed.head, socket, bytes.subarray(parsed.head.headLength), peer, 'v1');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { links, port: (server.address() as { port: number }).port };
}

/** A raw WebSocket client that, like Pipy 1.5.14, never answers pings. */
function pipyLikeLink(t: Test, port: number, localAddress: string): Promise<{ closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  t.teardown(() => socket.destroy());
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.startsWith('HTTP/1.1 101 ')) resolve({ closed });
    });
    socket.write(`GET ${PATH}${ID} HTTP/1.1\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n`);
  });
}

t.test('a link that shows no sign of life for two ping intervals may be replaced; status reports from its address are signs of life', async (t) => {
  const clock = { now: 0 };
  const { links, port } = await linksOnLoopback(t, clock);
  await pipyLikeLink(t, port, '127.0.0.1');
  await waitFor('the link', () => links.size === 1);
  const newcomer = (): LinkPeer => ({ codebase: NAME, instanceId: ID, address: '127.0.0.2' });
  clock.now = 1500;
  t.match(links.admit(newcomer()), { status: 409 }, 'alive: it opened 1.5 s ago');
  clock.now = 1900;
  links.noteReport(NAME, ID, '127.0.0.1');
  clock.now = 3500;
  t.match(links.admit(newcomer()), { status: 409 }, 'alive: its instance reported from its address 1.6 s ago');
  links.noteReport(NAME, ID, '127.0.0.2');
  clock.now = 4000;
  t.equal(links.admit(newcomer()), undefined, 'dead: a report from another address is no sign of this link');
  const replacing = await pipyLikeLink(t, port, '127.0.0.2');
  t.ok(replacing, 'the newcomer opens');
  t.equal(links.size, 1, 'and replaced the dead link');
});

t.test("a link that never answers pings (as Pipy's) stays while its instance reports from its address, and is closed when it stops", async (t) => {
  const { server, port } = await start(t, { pingIntervalMs: 1500 });
  const pipy = await pipyLikeLink(t, port, '127.0.0.1');
  let closed = false;
  void pipy.closed.then(() => (closed = true));
  const report = JSON.stringify({ uuid: ID, name: '', version: '' });
  const post = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.on('data', () => socket.destroy());
      socket.write(`POST ${PATH} HTTP/1.1\r\nhost: h\r\ncontent-length: ${report.length}\r\n\r\n${report}`);
    });
  const until = Date.now() + 4000;
  while (Date.now() < until) {
    await post();
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(closed, false, 'still linked after more than two ping intervals');
  t.match(server.instances(), [{ instanceId: ID, linked: true }]);
  await pipy.closed;
  await waitFor('the registry sees the link closed', () => server.instances()[0]?.linked === false);
});

import { connect } from 'node:net';
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import { createCodebase } from '../../../cache/codebase.js';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { Codebase } from '../../../cache/codebase.js';
import type { LinkEvent, PipyRepoServerOptions, SendErrorEvent } from '../../../server/pipy-repo/types.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';
import { closingAdminLink } from '../../support/closing-admin-link.js';

// The repo server's delivery callbacks: admin links opening and closing,
// reloads sent, and reloads or responses that never reached the client.

const NAME = 'fsm-sidecar/0b9a4d2e-1111-4c3a-9d3e-5f0e1a2b3c4d.sidecar.bookbuyer.bookbuyer';

async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

async function start(t: Test, codebases: PipyRepoServerOptions['codebases'], extra: Partial<PipyRepoServerOptions> = {}) {
  const links: LinkEvent[] = [];
  const errors: SendErrorEvent[] = [];
  const reloads: string[] = [];
  const server = createPipyRepoServer({
    listen: '127.0.0.1:0',
    codebases,
    onLinkChange: (e) => void links.push(e),
    onSendError: (e) => void errors.push(e),
    onReloadSent: (e) => void reloads.push(e.instanceId),
    ...extra,
  });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, port, links, errors, reloads };
}

function openLink(t: Test, port: number, instanceId: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/repo/${NAME}/${instanceId}`);
  t.teardown(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

t.test('admin links: opened, replaced and closed links are reported', async (t) => {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, { v: 1 });
  const { port, links, server } = await start(t, codebases);
  const a = await openLink(t, port, 'inst-a');
  t.ok(await eventually(() => links.length === 1));
  t.match(links[0], { codebase: NAME, instanceId: 'inst-a', linked: true, address: /127\.0\.0\.1/ });
  // Pipy reconnects with the same instance id: the old link closes before the new one counts.
  await openLink(t, port, 'inst-a');
  t.ok(await eventually(() => links.length === 3));
  t.same(links.map((e) => e.linked), [true, false, true], 'replacement: closed, then opened');
  a.terminate();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(links.length, 3, "the replaced socket's own close is not reported again");
  t.equal(server.stats().openLinks, 1);
  const opened = links.filter((e) => e.linked).length;
  const closed = links.filter((e) => !e.linked).length;
  t.equal(opened - closed, server.stats().openLinks, 'opens minus closes is the number of open links');
});

t.test('a reload that cannot be sent on a closing link is a send error; a live link counts as sent', async (t) => {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, { v: 1 });
  const { server, port, errors, reloads, links } = await start(t, codebases);
  const live = await openLink(t, port, 'live');
  const received: string[] = [];
  live.on('message', (m) => received.push(String(m)));
  await closingAdminLink(t, port, `/repo/${NAME}/closing`);
  t.ok(await eventually(() => links.length === 2), 'both links accepted');
  await new Promise((r) => setTimeout(r, 50));
  codebases.setConfig(NAME, { v: 2 });
  t.ok(await eventually(() => errors.length === 1 && reloads.length === 1), 'one failed, one sent');
  t.match(errors[0], { codebase: NAME, kind: 'reload', reason: /not open/ });
  t.same(reloads, ['live']);
  t.ok(await eventually(() => received.includes('reload')), 'the live link got the reload');
});

t.test('a response whose connection is destroyed before it was written is a send error', async (t) => {
  // Larger than what loopback socket buffers take, so the write is still pending when the client goes.
  const big = new Uint8Array(64 * 1024 * 1024).fill(0x61);
  const codebase: Codebase = createCodebase({ layers: [new Map([['/main.js', Buffer.from('//\n')], ['/big.js', big]])] });
  const codebases = createFakeCodebases();
  codebases.set(NAME, codebase);
  const { port, errors } = await start(t, codebases);

  const ok = connect(port, '127.0.0.1');
  let okBytes = 0;
  ok.on('data', (c: Buffer) => (okBytes += c.length));
  ok.write(`GET /repo/${NAME}/main.js HTTP/1.1\r\nhost: repo\r\nconnection: close\r\n\r\n`);
  await new Promise((r) => ok.once('close', r));
  t.ok(okBytes > 0, 'a small response read to the end');

  const stuck = connect(port, '127.0.0.1');
  t.teardown(() => stuck.destroy());
  stuck.on('error', () => {});
  stuck.pause();
  stuck.write(`GET /repo/${NAME}/big.js HTTP/1.1\r\nhost: repo\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 200));
  t.equal(errors.length, 0, 'nothing reported while the response is still being written');
  stuck.resetAndDestroy();
  t.ok(await eventually(() => errors.length === 1), 'reported once the connection broke');
  t.match(errors[0], { codebase: NAME, kind: 'response', address: /127\.0\.0\.1/ });
});

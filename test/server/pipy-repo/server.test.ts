import { request } from 'node:http';
import { connect } from 'node:net';
import t from 'tap';
import WebSocket from 'ws';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { PipyRepoServer, StatusReport } from '../../../server/pipy-repo/types.js';
import { createFakeCodebases, type FakeCodebases } from './fixtures/fake-codebases.js';

const NAME = 'fsm-sidecar/0b9a4d2e-1111-4c3a-9d3e-5f0e1a2b3c4d.sidecar.bookbuyer.bookbuyer';

interface Started {
  server: PipyRepoServer;
  port: number;
  codebases: FakeCodebases;
  reports: StatusReport[];
}

async function start(t: { teardown(fn: () => unknown): void }): Promise<Started> {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, { weight: 50 });
  const reports: StatusReport[] = [];
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, onStatus: (r) => reports.push(r) });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, port, codebases, reports };
}

function call(port: number, method: string, path: string, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends a raw request and returns the raw response head (to see every header the server wrote). */
function rawHead(port: number, method: string, path: string) {
  return new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      data += c;
      const end = data.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(data.slice(0, end));
      }
    });
    socket.on('error', reject);
    socket.write(`${method} ${path} HTTP/1.1\r\nhost: repo\r\nconnection: close\r\n\r\n`);
  });
}

t.test('HEAD and GET of the codebase path return the manifest with etag and no Date', async (t) => {
  const { port, codebases } = await start(t);
  const version = codebases.get(NAME)?.version;
  t.ok(version);
  const get = await call(port, 'GET', `/repo/${NAME}/`);
  t.equal(get.status, 200);
  t.equal(get.headers['etag'], version);
  t.equal(get.headers['content-type'], 'text/plain');
  t.equal(get.headers['date'], undefined);
  t.same(get.body.split('\n'), ['/main.js', '/config.json', '/modules/inbound.js', '']);
  const head = await call(port, 'HEAD', `/repo/${NAME}/`);
  t.equal(head.status, 200);
  t.equal(head.headers['etag'], version);
  t.equal(head.body, '');
  for (const method of ['HEAD', 'GET']) {
    const raw = await rawHead(port, method, `/repo/${NAME}/`);
    t.match(raw, /^HTTP\/1\.1 200 /);
    t.match(raw, new RegExp(`\\r\\netag: ${version}\\r\\n`, 'i'));
    t.notMatch(raw, /\r\ndate:/i, `${method} response has no Date header`);
  }
});

t.test('files are served relative to the codebase path; missing files and unknown codebases are 404', async (t) => {
  const { port } = await start(t);
  const config = await call(port, 'GET', `/repo/${NAME}/config.json`);
  t.equal(config.status, 200);
  t.same(JSON.parse(config.body), { weight: 50 });
  t.equal(config.headers['content-type'], 'application/json');
  t.equal(config.headers['date'], undefined);
  const nested = await call(port, 'GET', `/repo/${NAME}/modules/inbound.js`);
  t.equal(nested.status, 200);
  t.equal(nested.body, '// inbound\n');
  t.equal((await call(port, 'GET', `/repo/${NAME}/nope.js`)).status, 404);
  t.equal((await call(port, 'GET', '/repo/fsm-sidecar/unknown.sidecar.a.b/')).status, 404);
  t.equal((await call(port, 'HEAD', '/repo/fsm-sidecar/unknown.sidecar.a.b/')).status, 404);
  t.equal((await call(port, 'GET', `/repo/${NAME}/../config.json`)).status, 404);
});

t.test('the list of codebases is never served', async (t) => {
  const { port } = await start(t);
  for (const path of ['/repo', '/repo/', '/repo/fsm-sidecar/', '/', '/api/v1/repo']) {
    const res = await call(port, 'GET', path);
    t.equal(res.status, 404, path);
    t.notMatch(res.body, /bookbuyer/, `${path} does not leak codebase names`);
  }
});

t.test('a status POST answers 201 and is recorded per instance', async (t) => {
  const { port, server, reports, codebases } = await start(t);
  const version = codebases.get(NAME)?.version ?? '';
  const body = JSON.stringify({ timestamp: 1, since: 0, uuid: 'inst-1', name: 'pod-a', ip: '10.0.0.1', version, modules: {}, logs: [] });
  const res = await call(port, 'POST', `/repo/${NAME}/`, body);
  t.equal(res.status, 201);
  t.equal(res.headers['date'], undefined);
  const instances = server.instances();
  t.equal(instances.length, 1);
  t.match(instances[0], { codebase: NAME, instanceId: 'inst-1', version, name: 'pod-a', linked: false });
  t.match(instances[0]?.address, /127\.0\.0\.1/);
  t.ok((instances[0]?.reportedAt ?? 0) > 0);
  t.equal(reports.length, 1);
  t.equal(reports[0]?.body['ip'], '10.0.0.1');
  t.equal((await call(port, 'POST', `/repo/${NAME}/`, 'not json')).status, 400);
  t.equal((await call(port, 'POST', `/repo/${NAME}/`, '{"name":"no uuid"}')).status, 400);
  t.equal((await call(port, 'POST', '/repo/fsm-sidecar/unknown.sidecar.a.b/', body)).status, 404);
  t.equal(server.instances().length, 1);
});

t.test('an oversized status report is refused with 413', async (t) => {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, {});
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, maxStatusBytes: 100 });
  const { port } = await server.start();
  t.teardown(() => server.close());
  const res = await call(port, 'POST', `/repo/${NAME}/`, JSON.stringify({ uuid: 'x', logs: ['y'.repeat(500)] }));
  t.equal(res.status, 413);
  t.equal(server.instances().length, 0);
});

function openLink(port: number, path: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  const messages: string[] = [];
  ws.on('message', (d) => messages.push(d.toString()));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, opened };
}

async function until(cond: () => boolean, ms = 2000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('the admin link gets reload when the version changes, not for unchanged content', async (t) => {
  const { port, server, codebases } = await start(t);
  const link = openLink(port, `/repo/${NAME}/inst-1`);
  t.teardown(() => link.ws.terminate());
  await link.opened;
  await until(() => server.stats().openLinks === 1);
  t.match(server.instances(), [{ instanceId: 'inst-1', linked: true }]);

  codebases.setConfig(NAME, { weight: 50 });
  codebases.setConfig(NAME, { weight: 90 });
  await until(() => link.messages.length >= 1);
  // A round trip through the server orders any stray frame before this check.
  await call(port, 'GET', `/repo/${NAME}/`);
  t.same(link.messages, ['reload']);
  t.equal(server.stats().reloadsSent, 1);

  codebases.setConfig(NAME, { weight: 10 });
  await until(() => link.messages.length >= 2);
  t.same(link.messages, ['reload', 'reload']);
});

t.test('a WebSocket to an unknown codebase or without an instance id is refused', async (t) => {
  const { port } = await start(t);
  for (const path of ['/repo/fsm-sidecar/unknown.sidecar.a.b/inst', `/repo/${NAME}/`, `/repo/${NAME}/a/b`]) {
    const link = openLink(port, path);
    const err = await link.opened.then(
      () => undefined,
      (e: Error) => e,
    );
    t.match(err?.message, /Unexpected server response: 404/, path);
    link.ws.terminate();
  }
});

t.test('close() closes admin links and open sockets', async (t) => {
  const { port, server } = await start(t);
  const link = openLink(port, `/repo/${NAME}/inst-1`);
  await link.opened;
  const closed = new Promise<void>((resolve) => link.ws.once('close', () => resolve()));
  await server.close();
  await closed;
  t.equal(link.ws.readyState, WebSocket.CLOSED);
  const err = await call(port, 'GET', `/repo/${NAME}/`).then(
    () => undefined,
    (e: Error) => e,
  );
  t.match(err?.message, /ECONNREFUSED/);
  await server.close();
});

t.test('a link that stops answering pings is dropped; a removed codebase closes its links', async (t) => {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, {});
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, pingIntervalMs: 50 });
  const { port } = await server.start();
  t.teardown(() => server.close());

  // A raw WebSocket handshake from a peer that reads but never answers pings.
  const silent = connect(port, '127.0.0.1');
  t.teardown(() => silent.destroy());
  silent.resume();
  const closed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
  silent.write(
    `GET /repo/${NAME}/silent HTTP/1.1\r\nhost: repo\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
      'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
  );
  await until(() => server.stats().openLinks === 1);
  await closed;
  await until(() => server.stats().openLinks === 0);
  t.match(server.instances(), [{ instanceId: 'silent', linked: false }]);

  const link = openLink(port, `/repo/${NAME}/live`);
  await link.opened;
  const linkClosed = new Promise<number>((resolve) => link.ws.once('close', (code) => resolve(code)));
  codebases.delete(NAME);
  t.equal(await linkClosed, 1000);
  t.same(link.messages, [], 'no reload for a removed codebase');
});

t.test('a refused admin-link upgrade releases the connection though the peer keeps its side open', async (t) => {
  const { server, port } = await start(t);
  for (const path of [`/repo/${NAME}/`, '/repo/unknown/i1']) {
    const peer = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    t.teardown(() => peer.destroy());
    peer.on('error', () => undefined);
    let text = '';
    peer.on('data', (d: Buffer) => (text += d.toString('latin1')));
    peer.write(`GET ${path} HTTP/1.1\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n`);
    await until(() => text.includes('\r\n\r\n'));
    t.match(text, /^HTTP\/1\.1 404 /, path);
    await until(() => server.stats().openSockets === 0, 20_000);
    t.equal(server.stats().openSockets, 0);
  }
});

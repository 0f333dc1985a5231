import { request } from 'node:https';
import { connect } from 'node:net';
import t from 'tap';
import WebSocket from 'ws';
import { createCommonNameAuthorizer } from '../../../server/pipy-repo/authorize.js';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';
import { createTestPki, type KeyPair } from './fixtures/test-pki.js';

const TRUST_DOMAIN = 'cluster.local';
const OWN = '11111111-aaaa-4bbb-8ccc-000000000001.sidecar.bookbuyer.bookbuyer';
const OTHER = '22222222-aaaa-4bbb-8ccc-000000000002.sidecar.bookstore.bookstore';

const pki = await createTestPki();

async function start(t: { teardown(fn: () => unknown): void }) {
  const codebases = createFakeCodebases();
  codebases.setConfig(`fsm-sidecar/${OWN}`, { secret: 'own' });
  codebases.setConfig(`fsm-sidecar/${OTHER}`, { secret: 'other' });
  const server = createPipyRepoServer({
    listen: '127.0.0.1:0',
    codebases,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, authorize: createCommonNameAuthorizer({ trustDomain: TRUST_DOMAIN }) },
  });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { port };
}

function get(port: number, path: string, client?: KeyPair) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, ca: pki.caPem, ...(client ? { cert: client.cert, key: client.key } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

t.test('a proxy reads its own codebase over mutual TLS', async (t) => {
  const { port } = await start(t);
  const client = await pki.client(`${OWN}.${TRUST_DOMAIN}`);
  const manifest = await get(port, `/repo/fsm-sidecar/${OWN}/`, client);
  t.equal(manifest.status, 200);
  t.match(manifest.body, /^\/main\.js\n/);
  const config = await get(port, `/repo/fsm-sidecar/${OWN}/config.json`, client);
  t.equal(config.status, 200);
  t.same(JSON.parse(config.body), { secret: 'own' });
});

t.test("another proxy's codebase is 403, and so is its admin link", async (t) => {
  const { port } = await start(t);
  const client = await pki.client(`${OWN}.${TRUST_DOMAIN}`);
  const res = await get(port, `/repo/fsm-sidecar/${OTHER}/config.json`, client);
  t.equal(res.status, 403);
  t.notMatch(res.body, /other/);
  t.equal((await get(port, `/repo/fsm-sidecar/${OTHER}/`, client)).status, 403);
  const ws = new WebSocket(`wss://127.0.0.1:${port}/repo/fsm-sidecar/${OTHER}/inst-1`, { ca: pki.caPem, cert: client.cert, key: client.key });
  t.teardown(() => ws.terminate());
  const err = await new Promise<Error>((resolve) => ws.once('error', resolve));
  t.match(err.message, /Unexpected server response: 403/);
});

t.test('a CN outside the trust domain is 403 even for a matching name', async (t) => {
  const { port } = await start(t);
  const client = await pki.client(`${OWN}.other.domain`);
  t.equal((await get(port, `/repo/fsm-sidecar/${OWN}/`, client)).status, 403);
});

t.test('a client without a certificate, or with one from another CA, is refused at the handshake', async (t) => {
  const { port } = await start(t);
  const anonymous = await get(port, `/repo/fsm-sidecar/${OWN}/`).then(
    () => undefined,
    (e: Error) => e,
  );
  t.ok(anonymous, 'no client certificate: the request fails');
  const foreign = await get(port, `/repo/fsm-sidecar/${OWN}/`, await pki.foreignClient(`${OWN}.${TRUST_DOMAIN}`)).then(
    () => undefined,
    (e: Error) => e,
  );
  t.ok(foreign, 'a certificate from an unknown CA: the request fails');
});

t.test('close() ends connections still in their TLS handshake', async (t) => {
  const codebases = createFakeCodebases();
  const server = createPipyRepoServer({
    listen: '127.0.0.1:0',
    codebases,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.caPem, authorize: createCommonNameAuthorizer({ trustDomain: TRUST_DOMAIN }) },
  });
  const { port } = await server.start();
  // A client that connects and never says hello: the server's handshake timeout is 10 s.
  const silent = connect(port, '127.0.0.1');
  t.teardown(() => silent.destroy());
  silent.on('error', () => undefined);
  const closedByServer = new Promise<void>((r) => silent.once('close', () => r()));
  await new Promise<void>((r) => silent.once('connect', () => r()));
  await new Promise((r) => setTimeout(r, 50));
  const outcome = await Promise.race([
    Promise.all([server.close(), closedByServer]).then(() => 'closed'),
    new Promise((r) => setTimeout(() => r('still open after 5 s'), 5_000)),
  ]);
  t.equal(outcome, 'closed', 'the server closed and so did the half-made connection, before the handshake timeout');
});

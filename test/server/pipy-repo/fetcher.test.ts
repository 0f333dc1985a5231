import t from 'tap';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { FetchedEvent } from '../../../server/pipy-repo/types.js';
import { createPipyFetcher } from '../../support/pipy-fetcher.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';

const NAME = 'fsm-sidecar/33333333-aaaa-4bbb-8ccc-000000000003.sidecar.bookbuyer.bookbuyer';

async function start(t: { teardown(fn: () => unknown): void }) {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, { weight: 50 });
  const fetched: FetchedEvent[] = [];
  const server = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, onFetched: (e) => fetched.push(e) });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, codebases, fetched, url: `http://127.0.0.1:${port}/repo/${NAME}/` };
}

async function until(cond: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('the fetcher loads the manifest and every file; the server reports the complete fetch', async (t) => {
  const { url, codebases, fetched } = await start(t);
  const fetcher = createPipyFetcher({ url, intervalMs: 100 });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  t.equal(fetcher.main, '/main.js');
  t.same([...fetcher.files.keys()].sort(), ['/config.json', '/main.js', '/modules/inbound.js']);
  t.same(JSON.parse(fetcher.files.get('/config.json')?.toString() ?? ''), { weight: 50 });
  t.equal(fetcher.version, codebases.get(NAME)?.version);
  t.equal(fetcher.loads, 1);
  t.match(fetched, [{ codebase: NAME, version: fetcher.version, address: /127\.0\.0\.1/ }]);
  t.equal(fetched.length, 1);
});

t.test('polls without a change see the same etag and no Last-Modified, and never reload', async (t) => {
  const { url, server } = await start(t);
  const fetcher = createPipyFetcher({ url, intervalMs: 50, adminLink: false });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  const etags = new Set<string | undefined>();
  for (let n = 1; n <= 5; n++) {
    await fetcher.pollsReached(n);
    etags.add(fetcher.lastHead?.etag);
    t.equal(fetcher.lastHead?.lastModified, undefined, `poll ${n} has no Last-Modified`);
    t.equal(fetcher.lastHead?.status, 200);
  }
  t.same([...etags], [fetcher.version]);
  t.equal(fetcher.reloads, 0);
  await until(() => fetcher.reportsSent > 0);
  t.equal(fetcher.lastReportStatus, 201);
  t.match(server.instances(), [{ codebase: NAME, instanceId: fetcher.instanceId, version: fetcher.version }]);
});

t.test('a change reaches the fetcher within 1 s through the admin link', async (t) => {
  const { url, server, codebases, fetched } = await start(t);
  // Polling is slowed to a minute so that only the WebSocket can deliver the change in time.
  const fetcher = createPipyFetcher({ url, intervalMs: 60_000 });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  await until(() => server.stats().openLinks === 1);
  const next = fetcher.nextLoad(1000);
  const updated = codebases.setConfig(NAME, { weight: 90 });
  await next;
  t.equal(fetcher.version, updated.version);
  t.same(JSON.parse(fetcher.files.get('/config.json')?.toString() ?? ''), { weight: 90 });
  t.equal(fetcher.reloads, 1);
  t.equal(fetched.length, 2, 'one complete fetch per version');
  t.not(fetched[0]?.version, updated.version);
  t.equal(fetched[1]?.version, updated.version);
});

t.test('without an admin link, the HEAD poll picks up a change', async (t) => {
  const { url, codebases } = await start(t);
  const fetcher = createPipyFetcher({ url, intervalMs: 50, adminLink: false });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  const next = fetcher.nextLoad(2000);
  const updated = codebases.setConfig(NAME, { weight: 10 });
  await next;
  t.equal(fetcher.version, updated.version);
  t.equal(fetcher.reloads, 1);
});

t.test('a fetcher started before its codebase exists retries until it is published', async (t) => {
  const { url, codebases } = await start(t);
  codebases.delete(NAME);
  const fetcher = createPipyFetcher({ url, intervalMs: 50 });
  t.teardown(() => fetcher.close());
  const started = fetcher.start();
  await new Promise((r) => setTimeout(r, 120));
  t.equal(fetcher.loads, 0);
  codebases.setConfig(NAME, { late: true });
  await started;
  t.same(JSON.parse(fetcher.files.get('/config.json')?.toString() ?? ''), { late: true });
});

t.test('the fetcher reloads on every poll when a server sends a changing Last-Modified (the failure it detects)', async (t) => {
  const { createServer } = await import('node:http');
  let seconds = 0;
  const plain = createServer((req, res) => {
    // A naive server: Last-Modified changes between polls (Pipy 1.5.14 compares it with the etag;
    // Date it ignores), as a server stamping the time of the answer would.
    res.setHeader('last-modified', new Date(Date.UTC(2025, 0, 1, 0, 0, seconds++)).toUTCString());
    res.setHeader('etag', 'v1');
    res.end(req.url?.endsWith('/') ? '/main.js\n' : 'pipy()\n');
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => plain.close(() => r())));
  const port = (plain.address() as { port: number }).port;
  const fetcher = createPipyFetcher({ url: `http://127.0.0.1:${port}/repo/x/`, intervalMs: 50, adminLink: false, statusReports: false });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  await fetcher.pollsReached(3);
  await until(() => fetcher.reloads >= 2);
  t.ok(fetcher.reloads >= 2);
});

t.test('like Pipy 1.5.14, a listed file that is not there fails the whole load, retried next interval', async (t) => {
  const { createServer } = await import('node:http');
  const files = new Map([
    ['/repo/x/', '/main.js\n/late.js\n'],
    ['/repo/x/main.js', 'pipy()\n'],
  ]);
  const plain = createServer((req, res) => {
    res.sendDate = false;
    const body = files.get(req.url ?? '');
    res.writeHead(body === undefined ? 404 : 200, { etag: 'v1' });
    res.end(body);
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => plain.close(() => r())));
  const port = (plain.address() as { port: number }).port;
  const fetcher = createPipyFetcher({ url: `http://127.0.0.1:${port}/repo/x/`, intervalMs: 50, adminLink: false, statusReports: false });
  t.teardown(() => fetcher.close());
  const started = fetcher.start();
  await until(() => fetcher.errors >= 2);
  t.equal(fetcher.loads, 0, 'nothing loaded while a file is missing');
  t.equal(fetcher.lastError, 'GET /repo/x/late.js: 404');
  files.set('/repo/x/late.js', '// late\n');
  await started;
  t.equal(fetcher.loads, 1);
  t.same([...fetcher.files.keys()], ['/main.js', '/late.js']);
});

/**
 * The etcd source's protocol handling against a small fake of etcd's JSON
 * gateway (the real etcd runs in interop/etcd-source.test.ts): a compacted
 * watch revision leads to a relist, a progress notification moves the
 * revision on, auth tokens are obtained and renewed, and the naming layout
 * is read as etcd's naming/endpoints writes it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { parseEtcdArg } from '../../../src/sources/etcd/config.js';
import { endpointInstance, serviceOfKey, splitHostPort } from '../../../src/sources/etcd/etcd-endpoints.js';
import { createEtcdSource } from '../../../src/sources/etcd/scheme.js';
import { createRegistryMesh } from '../../support/registry-mesh.js';
import { waitFor } from '../../support/wait-for.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const kv = (key: string, addr: string, rev: number) => ({ key: b64(key), value: b64(JSON.stringify({ Op: 0, Addr: addr, Metadata: null })), mod_revision: String(rev) });

interface Fake {
  url: string;
  watches: { start: number; auth: string | undefined }[];
  ranges: number;
  close(): Promise<void>;
}

/** Answers ranges from `state()`; each watch gets `onWatch(startRevision)` lines, then stays open. */
async function fakeGateway(opts: { state: () => { revision: number; kvs: unknown[] }; onWatch: (start: number, n: number) => unknown[]; token?: string }): Promise<Fake> {
  const watches: Fake['watches'] = [];
  const open = new Set<http.ServerResponse>();
  let ranges = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const auth = req.headers.authorization;
      if (req.url === '/v3/auth/authenticate') {
        res.end(JSON.stringify({ header: {}, token: opts.token }));
        return;
      }
      if (opts.token && auth !== opts.token) {
        res.writeHead(401);
        res.end(JSON.stringify({ error: 'etcdserver: invalid auth token', code: 16 }));
        return;
      }
      if (req.url === '/v3/kv/range') {
        ranges++;
        const s = opts.state();
        res.end(JSON.stringify({ header: { revision: String(s.revision) }, kvs: s.kvs, count: String(s.kvs.length) }));
        return;
      }
      if (req.url === '/v3/watch') {
        const start = Number((JSON.parse(body) as { create_request: { start_revision: string } }).create_request.start_revision);
        watches.push({ start, auth });
        res.writeHead(200, { 'content-type': 'application/json' });
        for (const line of opts.onWatch(start, watches.length)) res.write(`${JSON.stringify(line)}\n`);
        open.add(res);
        res.on('close', () => open.delete(res));
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    watches,
    get ranges() {
      return ranges;
    },
    close: () => new Promise<void>((r) => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

t.test('a compacted watch revision: the source lists again and watches from the new revision', async (t) => {
  let state = { revision: 10, kvs: [kv('services/a/10.0.0.1:80', '10.0.0.1:80', 5)] };
  const fake = await fakeGateway({
    state: () => state,
    onWatch: (start, n) => {
      if (n === 1) {
        // The first watch runs, then etcd (as if after a compaction) cancels it.
        state = { revision: 20, kvs: [kv('services/a/10.0.0.2:80', '10.0.0.2:80', 19)] };
        return [{ result: { header: { revision: '10' }, created: true } }, { result: { header: { revision: '20' }, compact_revision: '15', canceled: true } }];
      }
      return [{ result: { header: { revision: String(state.revision) }, created: true } }];
    },
  });
  t.teardown(() => fake.close());
  const source = createEtcdSource(parseEtcdArg(`${fake.url}/services`), { backoff: { initialMs: 10, maxMs: 50 } });
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  mesh.attach(source);
  await source.ready;
  await waitFor('the relisted state', () => mesh.endpoints('default/a|80')?.join() === '10.0.0.2:80');
  await waitFor('the second watch', () => fake.watches.length === 2);
  t.same(fake.watches.map((w) => w.start), [11, 21], 'each watch starts after the revision of its listing');
  t.equal(fake.ranges, 2, 'one relist');
});

t.test('events and progress notifications move the revision on; a quiet watch is opened again from there', async (t) => {
  const fake = await fakeGateway({
    state: () => ({ revision: 3, kvs: [] }),
    onWatch: (start, n) =>
      n === 1
        ? [
            { result: { header: { revision: '3' }, created: true } },
            { result: { header: { revision: '4' }, events: [{ kv: kv('services/b/10.0.1.1:90', '10.0.1.1:90', 4) }] } },
            { result: { header: { revision: '9' } } },
          ]
        : [{ result: { header: { revision: String(start - 1) }, created: true } }],
  });
  t.teardown(() => fake.close());
  const source = createEtcdSource(parseEtcdArg(`${fake.url}/services?watchTimeout=300ms`), { backoff: { initialMs: 10, maxMs: 50 } });
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  mesh.attach(source);
  await source.ready;
  await waitFor('the event', () => mesh.endpoints('default/b|90') !== undefined);
  await waitFor('a second watch', () => fake.watches.length >= 2);
  t.equal(fake.watches[1]?.start, 10, 'after the progress notification at revision 9');
  t.equal(fake.ranges, 1, 'no relist for a quiet watch');
  t.equal(source.status().stale, false, 'and no staleness');
});

t.test('auth: a token from /v3/auth/authenticate on every request', async (t) => {
  const fake = await fakeGateway({ token: 'tok-1', state: () => ({ revision: 2, kvs: [kv('services/c/10.0.2.1:70', '10.0.2.1:70', 2)] }), onWatch: () => [{ result: { header: { revision: '2' }, created: true } }] });
  t.teardown(() => fake.close());
  const source = createEtcdSource(parseEtcdArg(`http://root:pw@${fake.url.slice(7)}/services`));
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/c|70'), ['10.0.2.1:70']);
  await waitFor('the watch', () => fake.watches.length === 1);
  t.equal(fake.watches[0]?.auth, 'tok-1');
});

t.test('the naming/endpoints layout', async (t) => {
  t.equal(serviceOfKey('services', 'services/greeter/10.0.0.1:50051'), 'greeter');
  t.equal(serviceOfKey('services', 'services/a/b/10.0.0.1:50051'), 'a/b', 'nested targets');
  t.equal(serviceOfKey('services', 'services/10.0.0.1:50051'), undefined, 'no service segment');
  t.equal(serviceOfKey('services', 'servicesX/a/1'), undefined);
  t.same(splitHostPort('[fd00::1]:443'), { host: 'fd00::1', port: 443 });
  t.same(endpointInstance('g', '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":{"weight":2}}', 'grpc'), { service: 'g', address: '10.0.0.1', port: 50051, protocol: 'grpc', metadata: { weight: '2' } });
  t.equal(endpointInstance('g', '{"Op":1,"Addr":"10.0.0.1:50051"}', 'grpc'), undefined, 'a Delete op is not an endpoint');
  t.equal(endpointInstance('g', 'not json', 'grpc'), undefined);
  const c = parseEtcdArg('http://u:p@etcd:2379');
  t.same([c.prefix, c.username, c.name], ['services', 'u', 'etcd:http://etcd:2379/services'], 'default prefix services, credentials out of the name');
});

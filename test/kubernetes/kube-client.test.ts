import t, { type Test } from 'tap';
import { InactivityError, KubeApiError, isAlreadyExists, isConflict, isNotFound } from '../../src/kubernetes/errors.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import { Resources, resourcePath } from '../../src/kubernetes/paths.js';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';

type Secret = { metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> }; data?: Record<string, string> };

async function setup(t: Test) {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  return { api, client: createKubeClient({ kubeConfig: api.kubeConfig() }) };
}

const secrets = resourcePath(Resources.secrets, { namespace: 'fsm-system' });
const secret = (name: string) => resourcePath(Resources.secrets, { namespace: 'fsm-system', name });

t.test('create, get, update, merge and JSON patch, delete, with typed errors', async (t) => {
  const { api, client } = await setup(t);
  const created = await client.create<Secret>(secrets, { metadata: { name: 's' }, data: { a: 'YQ==' } });
  t.equal(created.metadata.namespace, 'fsm-system');
  const again = await client.create(secrets, { metadata: { name: 's' } }).catch((e: unknown) => e);
  t.ok(isAlreadyExists(again), 'a second create is AlreadyExists');
  t.notOk(isConflict(again), 'AlreadyExists is not an update conflict');

  const read = await client.get<Secret>(secret('s'));
  t.same(read.data, { a: 'YQ==' });
  const updated = await client.update<Secret>(secret('s'), { ...read, data: { a: 'Yg==' } });
  t.not(updated.metadata.resourceVersion, read.metadata.resourceVersion);
  const stale = await client.update(secret('s'), { ...read, data: { a: 'Yw==' } }).catch((e: unknown) => e);
  t.ok(isConflict(stale), 'an update with a stale resourceVersion is a conflict');
  t.equal((stale as KubeApiError).status, 409);

  const merged = await client.patch<Secret>(secret('s'), { metadata: { labels: { x: 'y' } } }, 'merge');
  t.same(merged.metadata.labels, { x: 'y' });
  const patched = await client.patch<Secret>(secret('s'), [{ op: 'add', path: '/data/b', value: 'Yg==' }], 'json');
  t.same(patched.data, { a: 'Yg==', b: 'Yg==' });
  t.equal(api.requests.at(-1)?.method, 'PATCH');

  await client.delete(secret('s'));
  const gone = await client.get(secret('s')).catch((e: unknown) => e);
  t.ok(isNotFound(gone), 'a read after delete is NotFound');
  t.match((gone as Error).message, /not found/);
  t.equal(api.requests[0]?.authorization, 'Bearer stand-in-token', 'credentials from the kubeconfig');
});

t.test('a silent server fails the request after the inactivity timeout; an aborted request rejects', async (t) => {
  const { api, client } = await setup(t);
  api.silence(true);
  const silent = await client.get(secret('x'), { inactivityMs: 200 }).catch((e: unknown) => e);
  t.ok(silent instanceof InactivityError, 'InactivityError');
  const controller = new AbortController();
  const pending = client.get(secret('x'), { signal: controller.signal }).catch((e: unknown) => e);
  setTimeout(() => controller.abort(), 50);
  t.ok((await pending) instanceof Error, 'aborted');
});

t.test('watch delivers lines; an HTTP error answer is a KubeApiError', async (t) => {
  const { api, client } = await setup(t);
  const lines: string[] = [];
  const controller = new AbortController();
  const done = client
    .watch(secrets, { query: { watch: true }, signal: controller.signal, onLines: (l) => lines.push(...l) })
    .catch((e: unknown) => e);
  api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w', namespace: 'fsm-system' } });
  while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
  t.match(JSON.parse(lines[0] ?? '{}'), { type: 'ADDED', object: { metadata: { name: 'w' } } });
  controller.abort();
  await done;
  const missing = await client.watch('/apis/nope.example.com/v1/things', { query: { watch: true }, onLines: () => undefined }).catch((e: unknown) => e);
  t.ok(isNotFound(missing), 'an unserved type answers 404');
});

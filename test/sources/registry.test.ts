import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { createSourceRegistry } from '../../src/sources/registry.js';
import { defineSourceScheme } from '../../src/sources/scheme.js';
import { defaultSourceRegistry } from '../../src/sources/schemes.js';
import { silentLogger } from '../../src/shared/logger.js';

const fake = defineSourceScheme<{ n: number }>({
  scheme: 'fake',
  usage: 'fake:N',
  parse(arg) {
    const n = Number(arg);
    if (!Number.isInteger(n)) throw new Error(`"${arg}" is not an integer`);
    return { n };
  },
  create: ({ n }) => ({ name: `fake-${n}`, start() {}, ready: Promise.resolve(), close: () => Promise.resolve() }),
});

t.test('a value resolves through its scheme; the rest of the value is the argument', async (t) => {
  const r = createSourceRegistry([fake]);
  const spec = r.parse('fake:12');
  t.same(spec, { text: 'fake:12', scheme: 'fake', config: { n: 12 } });
  t.equal(r.create(spec, { logger: silentLogger, meshName: 'fsm' }).name, 'fake-12');
});

t.test('errors name the value, the reason and the expected form', async (t) => {
  const r = createSourceRegistry([fake]);
  t.throws(() => r.parse('ftp:x'), /"ftp:x": unknown source scheme "ftp" \(expected fake:N\)/);
  t.throws(() => r.parse('fake:x'), /"fake:x": "x" is not an integer \(expected fake:N\)/);
  t.throws(() => createSourceRegistry([fake, fake]), /registered twice/);
});

t.test('the default registry knows kubernetes and file', async (t) => {
  const r = defaultSourceRegistry();
  t.match(r.usage(), /kubernetes/);
  t.match(r.usage(), /file:DIR/);
  t.same(r.parse('file:/x/y:z').config, { dir: '/x/y:z' }, 'only the first colon separates the scheme');
  t.throws(() => r.parse('file:'), /a directory is required/);
  t.throws(() => r.parse('kubernetes:foo'), /the only argument is "secrets"/);
  t.same(r.parse('kubernetes').config, { secrets: false });
  t.same(r.parse('kubernetes:secrets').config, { secrets: true });
});

t.test('--source kubernetes watches no Secrets; kubernetes:secrets does', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const dir = await mkdtemp(join(tmpdir(), 'registry-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'kubeconfig'), api.kubeConfig().exportConfig());
  const saved = process.env['KUBECONFIG'];
  process.env['KUBECONFIG'] = join(dir, 'kubeconfig');
  t.teardown(() => (saved === undefined ? delete process.env['KUBECONFIG'] : (process.env['KUBECONFIG'] = saved)));
  const r = defaultSourceRegistry();
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  for (const [text, secrets] of [['kubernetes', false], ['kubernetes:secrets', true]] as const) {
    const source = r.create(r.parse(text), { logger: silent, meshName: 'fsm' });
    source.start({ onEvents: () => undefined });
    await source.ready;
    await source.close();
    t.equal(api.requestCount({ path: '/api/v1/secrets' }) > 0, secrets, `${text}: ${secrets ? 'lists' : 'never lists'} Secrets`);
  }
});

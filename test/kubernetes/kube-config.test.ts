import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { KubeConfigError } from '../../src/kubernetes/errors.js';
import { loadKubeConfig } from '../../src/kubernetes/kube-config.js';

const dir = await mkdtemp(path.join(tmpdir(), 'kube-config-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

const kubeconfig = (server: string, extra = '') => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${server}
${extra}
users:
- name: u
  user:
    token: t
contexts:
- name: x
  context: { cluster: c, user: u }
current-context: x
`;

const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};

t.test('nothing found: one error naming every place looked at', async (t) => {
  const err = thrown(() => loadKubeConfig({ env: {}, home: path.join(dir, 'nohome'), root: path.join(dir, 'nopod') }));
  t.ok(err instanceof KubeConfigError);
  t.match(err.message, /^no Kubernetes configuration found: /);
  t.match(err.message, /KUBECONFIG is not set/);
  t.match(err.message, new RegExp(`${path.join(dir, 'nohome', '.kube', 'config')} does not exist`));
  t.match(err.message, /KUBERNETES_SERVICE_HOST is not set/);
  t.match(err.message, /serviceaccount\/token does not exist/);
});

t.test('KUBECONFIG naming a missing file is an error about that file', async (t) => {
  const missing = path.join(dir, 'missing.yaml');
  const err = thrown(() => loadKubeConfig({ env: { KUBECONFIG: missing }, home: dir }));
  t.ok(err instanceof KubeConfigError);
  t.match(err.message, `KUBECONFIG=${missing}: ${missing} does not exist`);
});

t.test('~/.kube/config is used when KUBECONFIG is not set; plain HTTP needs insecure-skip-tls-verify', async (t) => {
  const home = path.join(dir, 'home');
  await mkdir(path.join(home, '.kube'), { recursive: true });
  const file = path.join(home, '.kube', 'config');
  await writeFile(file, kubeconfig('https://10.0.0.1:6443'));
  const loaded = loadKubeConfig({ env: {}, home });
  t.equal(loaded.origin, file);
  t.equal(loaded.kubeConfig.getCurrentCluster()?.server, 'https://10.0.0.1:6443');

  await writeFile(file, kubeconfig('http://127.0.0.1:8080'));
  const err = thrown(() => loadKubeConfig({ env: {}, home }));
  t.match(err.message, /cluster "c" is plain HTTP \(http:\/\/127\.0\.0\.1:8080\)/);
  await writeFile(file, kubeconfig('http://127.0.0.1:8080', '    insecure-skip-tls-verify: true'));
  t.equal(loadKubeConfig({ env: {}, home }).kubeConfig.getCurrentCluster()?.skipTLSVerify, true);
});

t.test('in a pod: the service account token and KUBERNETES_SERVICE_HOST', async (t) => {
  const root = path.join(dir, 'pod');
  const sa = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
  await mkdir(sa, { recursive: true });
  await writeFile(path.join(sa, 'token'), 'tok');
  await writeFile(path.join(sa, 'ca.crt'), '');
  const saved = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
  process.env['KUBERNETES_SERVICE_HOST'] = '10.96.0.1';
  process.env['KUBERNETES_SERVICE_PORT'] = '443';
  t.teardown(() => {
    for (const [k, v] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const loaded = loadKubeConfig({ env: process.env, home: path.join(dir, 'nohome'), root });
  t.match(loaded.origin, /^in-cluster service account/);
  t.equal(loaded.kubeConfig.getCurrentCluster()?.server, 'https://10.96.0.1:443');
  const err = thrown(() => loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, home: path.join(dir, 'nohome'), root: path.join(dir, 'nopod') }));
  t.match(err.message, /not in a cluster \(.*token does not exist\)/);
});

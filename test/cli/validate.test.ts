import t from 'tap';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/commands/validate.js';
import { spawnCli } from '../support/cli-process.js';
import { ALIAS_BOMB } from '../sources/file/fixtures/hostile-manifests.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

t.test('the bookstore example is valid', async (t) => {
  const c = capture();
  const code = await run(['--source', 'file:examples/bookstore'], c.io);
  t.equal(code, 0, c.out.join('\n'));
  t.same(c.out, []);
  t.match(c.err.join('\n'), /objects, valid/);
});

t.test('errors are printed one per line as file:line: kind ns/name: field: reason, exit 1; the line is the field\'s', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-validate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  await writeFile(
    file,
    `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { flomesh.io/monitored-by: fsm }
---
apiVersion: split.smi-spec.io/v1alpha4
kind: TrafficSplit
metadata:
  name: split
  namespace: shop
spec:
  service: web
  backends:
    - service: web-v1
      weight: -1
---
apiVersion: config.flomesh.io/v1alpha3
kind: MeshConfig
metadata:
  name: fsm-mesh-config
  namespace: fsm-system
spec:
  traffic:
    enableEgress: "no"
`,
  );
  const c = capture();
  const code = await run(['--source', `file:${dir}`], c.io);
  t.equal(code, 1);
  t.same(c.out, [
    `${file}:16: TrafficSplit shop/split: spec.backends[0].weight: Invalid value: -1: spec.backends[0].weight in body should be greater than or equal to 0`,
    `${file}:25: MeshConfig fsm-system/fsm-mesh-config: spec.traffic.enableEgress: Invalid value: "string": spec.traffic.enableEgress in body must be of type boolean: "string"`,
  ]);
});

t.test('usage errors and missing directories', async (t) => {
  const c = capture();
  t.equal(await run([], c.io), 2);
  t.match(c.err.join('\n'), /usage: fsm-controller validate DIR/);
  const d = capture();
  t.equal(await run(['--source', 'file:/nonexistent/fsm-validate'], d.io), 1);
  t.match(d.err.join('\n'), /cannot read/);
  const e = capture();
  t.equal(await run(['--source', 'kubernetes'], e.io), 2);
});

t.test('--mesh-name selects which namespaces are observed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-validate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // A service without endpoints (E3000) is only reported when its namespace is observed.
  await writeFile(
    join(dir, 'm.yaml'),
    `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { flomesh.io/monitored-by: other } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
`,
  );
  const a = capture();
  t.equal(await run(['--source', `file:${dir}`], a.io), 0);
  const b = capture();
  t.equal(await run(['--source', `file:${dir}`, '--mesh-name', 'other'], b.io), 1);
  t.same(b.out, [`${join(dir, 'm.yaml')}:5: Service shop/web: no endpoints found for the service [E3000]`]);
});

t.test('--help prints the usage and exits 0', async (t) => {
  const c = capture();
  t.equal(await run(['--help'], c.io), 0);
  t.match(c.out.join('\n'), /^usage: fsm-controller validate DIR \[flags\]/);
  t.match(c.out.join('\n'), /--file-max-objects N/);
});

t.test('the directory may be given as DIR; other forms say exactly what is missing', async (t) => {
  const plain = capture();
  t.equal(await run(['examples/bookstore'], plain.io), 0, plain.out.join('\n'));
  t.match(plain.err.join('\n'), /^examples\/bookstore: \d+ objects, valid$/);
  const cases: [string[], RegExp][] = [
    [[], /^E1000: missing the directory to check: fsm-controller validate DIR/],
    [['--source', 'examples/bookstore'], /^E1000: --source "examples\/bookstore" is not file:DIR; for a directory write --source file:examples\/bookstore or just validate examples\/bookstore/],
    [['--source', 'kubernetes'], /^E1000: validate checks manifest files; --source kubernetes is not supported/],
    [['a', 'b'], /^E1000: one directory expected, got 2: a b/],
    [['a', '--source', 'file:b'], /^E1000: give the directory either as DIR or as --source file:DIR, not both/],
    [['a', '--file-max-bytes', 'lots'], /^E1000: --file-max-bytes: "lots" is not a positive integer/],
    [['--bogus'], /^E1000: Unknown option '--bogus'/],
  ];
  for (const [argv, why] of cases) {
    const c = capture();
    t.equal(await run(argv, c.io), 2, argv.join(' '));
    t.match(c.err.join('\n'), why);
  }
});

t.test('a hostile file makes validate fail naming it; never "0 objects, valid"', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-validate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'bomb.yaml'), ALIAS_BOMB);
  const c = capture();
  t.equal(await run([dir], c.io), 1);
  t.same(c.out, [`${join(dir, 'bomb.yaml')}:1: YAML: more than 100 alias expansions (a possible alias bomb); document refused`]);
  t.same(c.err, [`${dir}: 1 problem; not valid`]);
  await rm(join(dir, 'bomb.yaml'));
  const empty = capture();
  t.equal(await run([dir], empty.io), 1, 'an empty directory is not valid either');
  t.match(empty.err.join('\n'), /no objects found/);
});

t.test('limits come from flags; warnings alone keep validate passing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-validate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {flomesh.io/monitored-by: fsm}}\n';
  await writeFile(join(dir, 'a.yaml'), ns);
  await writeFile(join(dir, 'b.yaml'), `${ns}---\n${ns}`);
  const warned = capture();
  t.equal(await run([dir], warned.io), 0);
  t.equal(warned.out.length, 2, warned.out.join('\n'));
  t.ok(warned.out.every((l) => l.includes(': warning: Namespace shop: also defined at ')));
  t.match(warned.err.join('\n'), /: 1 object, valid \(2 warnings\)$/);
  const limited = capture();
  t.equal(await run([dir, '--file-max-objects', '1'], limited.io), 1);
  t.same(limited.out, [`${join(dir, 'b.yaml')}: more than 1 objects in one file (--file-max-objects); file refused`]);
  const small = capture();
  t.equal(await run([dir, '--file-max-bytes', '10'], small.io), 1);
  t.equal(small.out.length, 2);
});

t.test('unreadable files and directories are errors naming them (as an unprivileged user)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-validate-perm-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp('examples/bookstore', dir, { recursive: true });
  await mkdir(join(dir, 'locked'));
  await writeFile(join(dir, 'locked', 'x.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: locked}\n');
  await chmod(dir, 0o755);
  await chmod(join(dir, '50-traffic-split.yaml'), 0o000);
  await chmod(join(dir, 'locked'), 0o000);
  const r = spawnCli(['validate', dir], { unprivileged: true });
  t.equal(await r.exit, 1, r.stderr());
  t.same(r.stdout().trim().split('\n'), [
    `${join(dir, '50-traffic-split.yaml')}: cannot read: EACCES: permission denied, open '${join(dir, '50-traffic-split.yaml')}'`,
    `${join(dir, 'locked')}: cannot read directory: EACCES: permission denied, scandir '${join(dir, 'locked')}'; the objects of its files stay as last read`,
  ]);
  t.match(r.stderr(), /2 problems; not valid/);
});

t.test('unhealthy Gateway API conditions are problems: one line each naming object, parent and reason, exit 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-validate-gw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'gateway.yaml'),
    `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { flomesh.io/monitored-by: fsm } }
---
apiVersion: config.flomesh.io/v1alpha3
kind: MeshConfig
metadata: { name: fsm-mesh-config, namespace: fsm-system }
spec: { gatewayAPI: { enabled: true } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: fsm }
spec: { controllerName: flomesh.io/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: shop }
spec:
  gatewayClassName: fsm
  listeners: [{ name: web, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: shop }
spec:
  parentRefs: [{ name: edge }]
  rules: [{ backendRefs: [{ name: ghost, port: 80 }] }]
`,
  );
  const c = capture();
  const code = await run(['--source', `file:${dir}`], c.io);
  t.equal(code, 1);
  t.same(c.out, ['HTTPRoute shop/web: Gateway shop/edge: ResolvedRefs=False BackendNotFound: Service shop/ghost does not exist']);
  t.match(c.err.join('\n'), /1 problem; not valid$/);
});

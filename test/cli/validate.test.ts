import t from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/commands/validate.js';

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

t.test('errors are printed one per line as file:line: kind ns/name: field: reason, exit 1', async (t) => {
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
      weight: 0
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
    `${file}:7: TrafficSplit shop/split: spec.backends[0].weight: Invalid value: 0: spec.backends[0].weight in body should be greater than 0`,
    `${file}:18: MeshConfig fsm-system/fsm-mesh-config: spec.traffic.enableEgress: Invalid value: "string": spec.traffic.enableEgress in body must be of type boolean: "string"`,
  ]);
});

t.test('usage errors and missing directories', async (t) => {
  const c = capture();
  t.equal(await run([], c.io), 2);
  t.match(c.err.join('\n'), /usage: fsm-controller validate --source file:DIR/);
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
  t.match(c.err.join('\n'), /1 problem in/);
});

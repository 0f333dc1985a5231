/**
 * GET /debug/gateways on a real admin server (loopback, port 0) over the
 * bookstore example plus a gateway with TLS and a broken route.
 */
import t from 'tap';
import { copyFile, mkdtemp, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDirectory } from '../../src/cli/commands/load-directory.js';
import { createGatewayDebugRoute } from '../../src/controller/gateway-debug-route.js';
import { createGatewayGenerator } from '../../src/generate/gateway/generator.js';
import { createAdminServer } from '../../src/observability/admin-http.js';

t.test('lists each gateway with codebase, versions, status, Pipy instances, and the problem lines; no private key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-debug-gw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp('examples/bookstore', dir, { recursive: true });
  await copyFile('test/generate/gateway/fixtures/tls.yaml', join(dir, '70-tls.yaml'));
  await copyFile('test/generate/gateway/fixtures/base.yaml', join(dir, '69-base.yaml'));
  await writeFile(
    join(dir, '71-broken.yaml'),
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: broken, namespace: bookstore }\nspec:\n  parentRefs: [{ name: bookstore-gateway }]\n  rules: [{ backendRefs: [{ name: ghost, port: 80 }] }]\n',
  );
  const store = await loadDirectory(dir, { meshName: 'fsm', fsmNamespace: 'fsm-system' });
  const generator = createGatewayGenerator({ base: { main: '/main.js', files: new Map([['/main.js', new Uint8Array()]]) } });
  const handler = createGatewayDebugRoute({
    view: store,
    generator,
    publishedVersion: (name) => (name === 'local/gw/bookstore' ? 'v-published' : undefined),
    instances: () => [{ codebase: 'local/gw/bookstore', instanceId: 'i-1', address: '10.0.0.9', version: 'v-running', name: 'gw', reportedAt: Date.UTC(2024, 0, 1), linked: true }],
  });
  const admin = createAdminServer({ listen: '127.0.0.1:0', routes: { '/debug/gateways': handler } });
  const { port } = await admin.start();
  t.teardown(() => admin.close());
  const res = await fetch(`http://127.0.0.1:${port}/debug/gateways`);
  t.equal(res.status, 200);
  const text = await res.text();
  t.notOk(text.includes('PRIVATE KEY'), 'no private key in debug output');
  const body = JSON.parse(text);
  t.equal(body.enabled, true);
  t.same(body.gateways.map((g: { gateway: string; codebase: string }) => [g.gateway, g.codebase]), [['bookstore/bookstore-gateway', 'local/gw/bookstore'], ['gw/tls', 'local/gw/gw']]);
  const bookstore = body.gateways[0];
  t.match(bookstore, { publishedVersion: 'v-published', pipy: [{ instance: 'i-1', runningVersion: 'v-running', linked: true, reportedAt: '2024-01-01T00:00:00.000Z' }] });
  t.match(bookstore.configVersion, /^[0-9a-f]{16}$/);
  t.match(bookstore.status.listeners, [{ name: 'http', attachedRoutes: 2 }]);
  t.same(bookstore.problems, [{ object: 'HTTPRoute bookstore/broken', reason: 'BackendNotFound: Service bookstore/ghost does not exist' }]);
  t.same(body.problems, ['HTTPRoute bookstore/broken: Gateway bookstore/bookstore-gateway: ResolvedRefs=False BackendNotFound: Service bookstore/ghost does not exist']);
  t.match(body.policies, [{ kind: 'RateLimitPolicy', policy: 'bookstore/bookstore-rate-limit', status: { conditions: [{ type: 'Accepted', status: 'True' }] } }]);
});

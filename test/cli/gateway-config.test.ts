/**
 * `fsm-controller config --gateway`, in-process against examples/bookstore
 * (its bookstore gateway) and a gateway with a TLS listener.
 */
import t from 'tap';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDirectory } from '../../src/cli/commands/load-directory.js';
import { printGatewayConfig } from '../../src/cli/commands/gateway-config.js';

const NAMES = { meshName: 'fsm', fsmNamespace: 'fsm-system' };

function io(showSecrets = false) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { showSecrets, out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

t.test('prints the bookstore gateway\'s config.json in served order, with its codebase on stderr', async (t) => {
  const store = await loadDirectory('examples/bookstore', NAMES);
  const c = io();
  t.equal(printGatewayConfig(store, 'bookstore/bookstore-gateway', c.io), 0, c.err.join('\n'));
  t.match(c.err[0], /^codebase: \/repo\/local\/gw\/bookstore\/ version [0-9a-f]{16}$/);
  const cfg = JSON.parse(c.out.join('\n'));
  t.same(cfg.Listeners, [{ Listen: 60080, Port: 80, Protocol: 'HTTP' }]);
  const host = cfg.RouteRules['80']['bookstore.example.com'];
  t.same(host.Matches[0].BackendService, { 'bookstore/bookstore-v1:14001': { Weight: 90 }, 'bookstore/bookstore-v2:14001': { Weight: 10 } });
  t.same(host.RateLimit, { Backlog: 10, Burst: 20, Mode: 'Local', Requests: 10, ResponseStatusCode: 429, StatTimeWindow: 1 });
  t.ok(c.out.join('\n').includes('\n  "Chains": {'), 'indented');
});

t.test('private keys are redacted unless --show-secrets', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gateway-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await copyFile('test/generate/gateway/fixtures/base.yaml', join(dir, 'base.yaml'));
  await copyFile('test/generate/gateway/fixtures/tls.yaml', join(dir, 'tls.yaml'));
  const store = await loadDirectory(dir, NAMES);
  const hidden = io();
  t.equal(printGatewayConfig(store, 'gw/tls', hidden.io), 0);
  const redacted = JSON.parse(hidden.out.join('\n'));
  t.equal(redacted.Listeners[0].TLS.Certificates[0].PrivateKey, '[redacted]');
  t.match(redacted.Listeners[0].TLS.Certificates[0].CertChain, /^-----BEGIN CERTIFICATE-----/, 'certificates are shown');
  t.notOk(hidden.out.join('\n').includes('PRIVATE KEY'));
  const shown = io(true);
  printGatewayConfig(store, 'gw/tls', shown.io);
  t.match(JSON.parse(shown.out.join('\n')).Listeners[0].TLS.Certificates[0].PrivateKey, /^-----BEGIN PRIVATE KEY-----/);
});

t.test('an unknown gateway: exit 1 listing the gateways; none at all says why', async (t) => {
  const store = await loadDirectory('examples/bookstore', NAMES);
  const c = io();
  t.equal(printGatewayConfig(store, 'bookstore/nope', c.io), 1);
  t.same(c.err, ['no gateway "bookstore/nope"; gateways (namespace/name):\n  bookstore/bookstore-gateway']);
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gateway-none-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n');
  const none = io();
  t.equal(printGatewayConfig(await loadDirectory(dir, NAMES), 'a/b', none.io), 1);
  t.match(none.err[0], /MeshConfig gatewayAPI.enabled is false/);
});

/**
 * examples/registry-split, run as its README says, against the Consul
 * stand-in: the script registers the legacy instances, the file and Consul
 * sources feed the model, and the client's sidecar config splits
 * orders.shop:8080 80/20 between the Kubernetes and the registry backend.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { createSidecarConfigSet } from '../../src/generate/sidecar/config-set.js';
import { createModelStore } from '../../src/model/store.js';
import type { Source } from '../../src/model/source-events.js';
import { defaultSourceRegistry } from '../../src/sources/schemes.js';
import { createConsulStandIn } from '../stand-ins/consul-stand-in.js';
import { waitFor } from '../support/wait-for.js';

const CURL = '3a1f6c52-9b7e-4d21-8f4a-2c6e0b9d7a11';

t.test('the registry-split example', async (t) => {
  const consul = await createConsulStandIn();
  t.teardown(() => consul.close());
  const out = await promisify(execFile)('sh', ['examples/registry-split/register-in-consul.sh'], { env: { ...process.env, CONSUL_HTTP_ADDR: consul.url } });
  t.match(out.stdout, /registered orders-legacy-1 and orders-legacy-2/);

  const store = createModelStore();
  const registry = defaultSourceRegistry();
  const sources: Source[] = ['file:examples/registry-split', `consul:${consul.url}?namespace=shop`].map((s) => registry.create(registry.parse(s), { logger: { debug() {}, info() {}, warn() {}, error() {} }, meshName: 'fsm' }));
  for (const s of sources) {
    t.teardown(() => s.close());
    s.start({ onEvents: (e) => store.apply(e), onProblems: (scope, p) => store.setSourceProblems(scope, p) });
  }
  await Promise.all(sources.map((s) => s.ready));
  t.same(store.errors(), [], 'the example is valid');
  const configs = createSidecarConfigSet({ view: store });
  configs.recompute();
  const outbound = configs.get(CURL)?.config.Outbound;
  const http = outbound?.TrafficMatches['8080']?.find((m) => m.HttpServiceRouteRules?.['orders.shop']);
  t.same(http?.HttpServiceRouteRules?.['orders.shop']?.RouteRules[0]?.TargetClusters, { 'shop/orders-k8s|8080': 80, 'shop/orders-legacy|8080': 20 }, 'the split: 80 to Kubernetes, 20 to the registry');
  t.same(Object.keys(outbound?.ClustersConfigs['shop/orders-legacy|8080']?.Endpoints ?? {}).sort(), ['192.168.10.11:8080', '192.168.10.12:8080'], 'the Consul instances (node addresses)');
  t.same(Object.keys(outbound?.ClustersConfigs['shop/orders-k8s|8080']?.Endpoints ?? {}), ['10.244.2.7:8080'], 'the Kubernetes pod');

  consul.deregister('orders-legacy-2', 'legacy-vm-2');
  await waitFor('the deregistration', () => {
    configs.recompute();
    return Object.keys(configs.get(CURL)?.config.Outbound?.ClustersConfigs['shop/orders-legacy|8080']?.Endpoints ?? {}).join() === '192.168.10.11:8080';
  });
});

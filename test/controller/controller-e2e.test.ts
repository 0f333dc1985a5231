import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createAdsClient, type AdsClient, type ClientResponse } from '../../server/transport/ads-client.js';
import { createController, type Controller } from '../../src/controller/controller.js';
import { parseControllerOptions, type ControllerOptions } from '../../src/controller/options.js';
import { createPipyFetcher, type PipyFetcher } from '../support/pipy-fetcher.js';
import { waitFor } from '../support/wait-for.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';

// End to end on examples/bookstore: a Pipy-like fetcher and an xDS client
// follow a TrafficSplit edit in a manifest; a restart keeps every version.

const BOOKBUYER = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';

function optionsFor(dir: string, stateDir: string): ControllerOptions {
  const o = parseControllerOptions(
    ['--source', `file:${dir}`, '--state-dir', stateDir, '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (o === 'help') throw new Error('unexpected help');
  return o;
}

async function startController(dir: string, stateDir: string) {
  const controller = createController(optionsFor(dir, stateDir));
  const ports = await controller.start();
  await waitFor('controller ready', () => controller.isReady());
  return { controller, ports };
}

function splitWeights(configJson: string): Record<string, number> {
  const conf = JSON.parse(configJson) as { Outbound?: { TrafficMatches?: Record<string, { HttpServiceRouteRules?: Record<string, { RouteRules?: { TargetClusters?: Record<string, number> }[] }> }[]> } };
  const out: Record<string, number> = {};
  for (const matches of Object.values(conf.Outbound?.TrafficMatches ?? {})) {
    for (const m of matches) {
      for (const rules of Object.values(m.HttpServiceRouteRules ?? {})) {
        for (const r of rules.RouteRules ?? []) Object.assign(out, r.TargetClusters ?? {});
      }
    }
  }
  return out;
}

function sidecarJson(res: ClientResponse): string {
  const msg = res.resources[0]?.message as { json?: string } | undefined;
  if (!msg?.json) throw new Error('response without a SidecarConfig');
  return msg.json;
}

t.test('bookstore: Pipy fetcher and xDS client follow a TrafficSplit change; restart keeps versions', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-e2e');

  let { controller, ports } = await startController(dir, stateDir);
  let closeController: Controller | undefined = controller;
  t.teardown(() => closeController?.close());
  const proxy = controller.store.proxyByUuid(BOOKBUYER);
  if (!proxy) throw new Error('bookbuyer proxy missing from the example');

  const fetcher: PipyFetcher = createPipyFetcher({ url: `http://127.0.0.1:${ports.repo}/repo/fsm-sidecar/${proxy.cnPrefix}/`, intervalMs: 200 });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  const config0 = fetcher.files.get('/config.json')?.toString();
  t.ok(config0, 'the fetcher downloaded config.json');
  t.equal(fetcher.files.has(fetcher.main), true, 'and the main script');
  t.same(splitWeights(config0!), { 'bookstore/bookstore-v1|14001': 50, 'bookstore/bookstore-v2|14001': 50 }, 'the TrafficSplit weights reach bookbuyer');

  const xds: AdsClient = createAdsClient({ address: `127.0.0.1:${ports.xds}`, node: { id: proxy.cnPrefix, cluster: 'bookbuyer' } });
  t.teardown(() => xds.close());
  xds.subscribe(TypeUrl.PipySidecarConfig, [proxy.cnPrefix]);
  const first = await xds.next({ timeoutMs: 5000 });
  t.equal(sidecarJson(first), config0, 'xDS delivers the same config document');
  xds.ack(first);

  // Polls without a change: same etag, no Date, no reload.
  const pollsBefore = fetcher.polls;
  await fetcher.pollsReached(pollsBefore + 3, 5000);
  t.equal(fetcher.reloads, 0, 'no reload while nothing changes');
  t.equal(fetcher.lastHead?.lastModified, undefined, 'HEAD carries no Last-Modified header');
  t.equal(fetcher.lastHead?.etag, fetcher.version, 'the etag is stable');

  // Edit the TrafficSplit weight in the manifest.
  const splitFile = join(dir, '50-traffic-split.yaml');
  const text = await readFile(splitFile, 'utf8');
  const reload = fetcher.nextLoad(1000);
  const xdsUpdate = xds.next({ timeoutMs: 1000 });
  await writeFile(splitFile, text.replace(/weight: 50\n(\s+- service: bookstore-v2\n\s+)weight: 50/, 'weight: 90\n$1weight: 10'));
  await reload;
  const config1 = fetcher.files.get('/config.json')!.toString();
  t.same(splitWeights(config1), { 'bookstore/bookstore-v1|14001': 90, 'bookstore/bookstore-v2|14001': 10 }, 'the new weights reached the Pipy fetcher within 1 s');
  const update = await xdsUpdate;
  t.equal(sidecarJson(update), config1, 'and the xDS client within 1 s');
  t.not(update.versionInfo, first.versionInfo);
  xds.ack(update);

  const before = new Map(controller.store.proxies().map((p) => [p.uuid, controller.configs().get(p.uuid)?.version]));
  const codebasesBefore = new Map(controller.store.proxies().map((p) => [p.uuid, controller.publisher().published({ generator: 'sidecar', key: p.uuid })?.codebase?.version]));
  await controller.close();
  closeController = undefined;

  ({ controller, ports } = await startController(dir, stateDir));
  closeController = controller;
  const after = new Map(controller.store.proxies().map((p) => [p.uuid, controller.configs().get(p.uuid)?.version]));
  const codebasesAfter = new Map(controller.store.proxies().map((p) => [p.uuid, controller.publisher().published({ generator: 'sidecar', key: p.uuid })?.codebase?.version]));
  t.equal(after.size, 5, 'every proxy is back');
  t.same(after, before, 'a restart gives every proxy the same config version');
  t.same(codebasesAfter, codebasesBefore, 'and the same codebase etag (no mesh-wide reload)');
});

t.test('a new proxy is generated at once; other changes wait for the quiet window', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-e2e-new');
  const o = parseControllerOptions(
    ['--source', `file:${dir}`, '--state-dir', stateDir, '--quiet-ms', '3000', '--max-delay-ms', '6000',
      '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  await controller.start();
  await waitFor('controller ready', () => controller.isReady());

  const uuid = '7f0e1d2c-3b4a-4958-8776-655443322110';
  await writeFile(join(dir, '31-bookwarehouse-2.yaml'), [
    'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: bookwarehouse-2', '  namespace: bookwarehouse',
    '  labels: { app: bookwarehouse, version: v1, fsm-proxy-uuid: ' + uuid + ' }',
    'spec: { serviceAccountName: bookwarehouse }', 'status: { phase: Running, podIP: 10.244.2.31 }', '',
  ].join('\n'));
  const written = Date.now();
  await waitFor('the new proxy has a config', () => controller.configs().get(uuid) !== undefined, 2500);
  t.ok(Date.now() - written < 2500, 'the new proxy did not wait for the 3 s quiet window');

  const before = controller.configs().get(BOOKBUYER)?.version;
  const splitFile = join(dir, '50-traffic-split.yaml');
  await writeFile(splitFile, (await readFile(splitFile, 'utf8')).replace('weight: 50', 'weight: 70'));
  const edited = Date.now();
  await waitFor('the split edit', () => controller.configs().get(BOOKBUYER)?.version !== before, 15_000);
  t.ok(Date.now() - edited >= 3000, 'a policy edit is coalesced for the quiet window');
});

/**
 * A consumer of the installed package (interop/package-install.test.ts):
 * imports every entry, serves a listener with the builders through the xDS
 * server, and reads it back with the testing ADS client.
 */
import { composeCallbacks, createSnapshot, createSnapshotCache, createXdsServer, TypeUrl, type XdsCallbacks } from 'fsm-control-plane';
import { createLinearCache } from 'fsm-control-plane/cache';
import { createXdsServer as createXdsServerFromServerEntry } from 'fsm-control-plane/server';
import { apiListener, clusterLoadAssignment, edsCluster, routeConfiguration, sdsSecret, type RouteOptions } from 'fsm-control-plane/resources';
import { createAdsClient, createFakeWatcher } from 'fsm-control-plane/testing';
import { createPipyRepoServer } from 'fsm-control-plane/pipy-repo';
import { createController, parseControllerOptions } from 'fsm-control-plane/controller';

/** Never called: the builders' options are typed, not `any`. */
export function optionsAreTyped(): void {
  // @ts-expect-error a weight is a number
  routeConfiguration({ name: 'r', virtualHosts: [{ name: 'v', routes: [{ weightedClusters: [{ name: 'a', weight: '1' }] }] }] });
  // @ts-expect-error a route names a cluster or weighted clusters, not both
  const both: RouteOptions = { cluster: 'a', weightedClusters: [] };
  void both;
}

const opened: number[] = [];
const callbacks = composeCallbacks<XdsCallbacks>({ onStreamOpen: (id) => opened.push(id) }, undefined);
const cache = createSnapshotCache();
cache.setSnapshot(
  'consumer',
  createSnapshot({
    resources: {
      [TypeUrl.Listener]: [apiListener({ name: 'echo', routeConfigName: 'echo' })],
      [TypeUrl.Route]: [routeConfiguration({ name: 'echo', virtualHosts: [{ name: 'echo', routes: [{ cluster: 'a' }] }] })],
      [TypeUrl.Cluster]: [edsCluster({ name: 'a' })],
      [TypeUrl.Endpoint]: [clusterLoadAssignment({ clusterName: 'a', endpoints: [{ address: '127.0.0.1', port: 1 }] })],
      [TypeUrl.Secret]: [sdsSecret({ name: 'ca', validationContext: { trustedCa: 'PEM' } })],
    },
  }),
);
const server = createXdsServer({ watcher: cache, callbacks, legacyWildcard: false });
const port = await server.listen('127.0.0.1:0');
const client = createAdsClient({ address: `127.0.0.1:${port}`, node: { id: 'consumer', cluster: 'test' } });
client.subscribe(TypeUrl.Listener, ['echo']);
const response = await client.next({ timeoutMs: 30_000 });
client.close();
await server.close({ graceMs: 0 });

const problems = [
  response.resources.map((r) => r.name).join() === 'echo' ? '' : `got ${JSON.stringify(response.resources.map((r) => r.name))}`,
  opened.length === 1 ? '' : `composed callbacks saw ${opened.length} streams`,
  createXdsServerFromServerEntry === createXdsServer ? '' : 'the root and ./server entries hold different module instances',
  ...Object.entries({ createLinearCache, createFakeWatcher, createPipyRepoServer, createController, parseControllerOptions })
    .filter(([, f]) => typeof f !== 'function')
    .map(([name]) => `${name} is not a function`),
].filter(Boolean);
if (problems.length) throw new Error(problems.join('; '));
console.log(`consumer ok: listener ${response.resources[0]?.name} served on 127.0.0.1:${port}`);

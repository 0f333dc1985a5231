/**
 * Why the registry sources speak HTTP themselves rather than through the
 * registries' npm clients: the same faults, played by the stand-ins, seen
 * by each client and by the source. Prints, per registry and fault, when
 * (if at all) each one saw the change made during or after the fault.
 *
 *  consul  the agent restarts (down 3 s, a change made meanwhile): time
 *          from the restart to the change being seen; and blocking queries
 *          that hang for 3 s (no answer, connection open);
 *  eureka  a change whose delta the reader misses (polled after the
 *          server's retention window): is it ever seen?
 *  nacos   the last instance of a service deregistered: does the reader
 *          report the service empty?
 * Run: npm run build && npm run bench -- registry-clients
 */
import { performance } from 'node:perf_hooks';
import Consul from 'consul';
import { Eureka } from 'eureka-js-client';
import { NacosNamingClient } from 'nacos';
import { createModelStore } from '../src/model/store.js';
import type { CatalogSource } from '../src/sources/catalog/catalog-source.js';
import { parseConsulArg } from '../src/sources/consul/config.js';
import { createConsulSource } from '../src/sources/consul/scheme.js';
import { parseEurekaArg } from '../src/sources/eureka/config.js';
import { createEurekaSource } from '../src/sources/eureka/scheme.js';
import { parseNacosArg } from '../src/sources/nacos/config.js';
import { createNacosSource } from '../src/sources/nacos/scheme.js';
import { createConsulStandIn } from '../test/stand-ins/consul-stand-in.js';
import { createEurekaStandIn } from '../test/stand-ins/eureka-stand-in.js';
import { createNacosStandIn } from '../test/stand-ins/nacos-stand-in.js';

const quiet = { warn() {}, info() {}, debug() {}, error() {}, log() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms up to `limitMs`; the elapsed ms, or undefined when it never held. */
async function seen(cond: () => boolean | Promise<boolean>, limitMs: number): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if (await cond()) return performance.now() - t0;
    await sleep(20);
  }
  return undefined;
}
const show = (ms: number | undefined, limitMs: number) => (ms === undefined ? `not within ${limitMs / 1000} s` : `${ms.toFixed(0)} ms`);

function sourceModel(source: CatalogSource) {
  const store = createModelStore();
  source.start({ onEvents: (e) => void store.apply(e) });
  return store;
}

async function consulFaults(): Promise<void> {
  const limit = 40_000;
  for (const fault of ['restart', 'hang'] as const) {
    const standIn = await createConsulStandIn();
    standIn.register({ id: 'a-1', service: 'a', serviceAddress: '10.0.0.1', port: 80 });
    const consul = new Consul({ host: '127.0.0.1', port: standIn.http.port });
    let clientIds: string[] = [];
    const watch = consul.watch({ method: consul.health.service, options: { service: 'a', passing: true, wait: '10s' } as never });
    watch.on('change', (data: { Service: { ID: string } }[]) => (clientIds = data.map((e) => e.Service.ID)));
    watch.on('error', () => undefined);
    const source = createConsulSource(parseConsulArg(`${standIn.url}?wait=10s`));
    const store = sourceModel(source);
    await source.ready;
    await seen(() => clientIds.length === 1, 5000);
    if (fault === 'restart') {
      await standIn.http.stop();
      standIn.register({ id: 'a-2', service: 'a', serviceAddress: '10.0.0.2', port: 80 });
      await sleep(3000);
      await standIn.http.start();
    } else {
      standIn.http.fault = 'silent';
      standIn.register({ id: 'a-2', service: 'a', serviceAddress: '10.0.0.2', port: 80 });
      await sleep(3000);
      standIn.http.fault = 'none';
    }
    const [c, s] = await Promise.all([
      seen(() => clientIds.length === 2, limit),
      seen(() => store.list('EndpointSlice', 'default').some((sl) => (sl as { endpoints?: unknown[] }).endpoints?.length === 2), limit),
    ]);
    console.log(`consul  ${fault.padEnd(8)} consul npm watch: ${show(c, limit).padEnd(18)} source: ${show(s, limit)}`);
    watch.end();
    await source.close();
    await standIn.close();
  }
}

async function eurekaMissedDelta(): Promise<void> {
  const limit = 10_000;
  const standIn = await createEurekaStandIn();
  standIn.register('A', { instanceId: 'a-1', ipAddr: '10.0.0.1', port: 80 });
  const reader = new Eureka({
    logger: quiet,
    shouldUseDelta: true,
    eureka: { host: '127.0.0.1', port: standIn.http.port, servicePath: '/eureka/apps/', registerWithEureka: false, fetchRegistry: true, registryFetchInterval: 200, maxRetries: 0 },
  } as never);
  await new Promise<void>((r) => reader.start(() => r()));
  const source = createEurekaSource(parseEurekaArg(`${standIn.url}?interval=200ms`));
  const store = sourceModel(source);
  await source.ready;
  standIn.register('A', { instanceId: 'a-2', ipAddr: '10.0.0.2', port: 80 });
  standIn.dropDeltas();
  const [c, s] = await Promise.all([
    seen(() => (reader.getInstancesByAppId('A') as unknown[]).length === 2, limit),
    seen(() => store.list('EndpointSlice', 'default').some((sl) => (sl as { endpoints?: unknown[] }).endpoints?.length === 2), limit),
  ]);
  console.log(`eureka  missed delta eureka-js-client: ${show(c, limit).padEnd(18)} source: ${show(s, limit)}`);
  await new Promise<void>((r) => reader.stop(() => r()));
  await source.close();
  await standIn.close();
}

async function nacosEmpty(): Promise<void> {
  const limit = 10_000;
  const standIn = await createNacosStandIn();
  standIn.register({ service: 'a', ip: '10.0.0.1', port: 80 });
  const client = new NacosNamingClient({ logger: quiet as unknown as typeof console, serverList: `127.0.0.1:${standIn.http.port}`, namespace: 'public' });
  await client.ready();
  const source = createNacosSource(parseNacosArg(`${standIn.url}?interval=200ms`));
  const store = sourceModel(source);
  await source.ready;
  await client.selectInstances('a', 'DEFAULT_GROUP', '', true, false);
  standIn.deregister('a', '10.0.0.1', 80);
  const [c, s] = await Promise.all([
    seen(async () => (await client.selectInstances('a', 'DEFAULT_GROUP', '', true, false)).length === 0, limit),
    seen(() => store.get('Service', 'default', 'a') === undefined, limit),
  ]);
  console.log(`nacos   last instance gone  nacos client: ${show(c, limit).padEnd(18)} source: ${show(s, limit)}`);
  await (client as unknown as { close(): Promise<void> }).close();
  await source.close();
  await standIn.close();
}

await consulFaults();
await eurekaMissedDelta();
await nacosEmpty();

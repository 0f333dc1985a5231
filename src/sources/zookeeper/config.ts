/**
 * `--source zookeeper:HOST:PORT[,HOST:PORT…][/root][?options]`: Dubbo's
 * registry layout in ZooKeeper, under `root` (default `/dubbo`, as Dubbo
 * writes it): `<root>/<interface>/providers/<URL-encoded provider URL>`
 * ephemeral nodes. Options besides the shared ones
 * (src/sources/catalog/options.ts), after FSM's ZookeeperConnector:
 *
 *   category=NAME          the node holding instances (default providers)
 *   digest=USER:PASSWORD   ZooKeeper digest auth
 *   sessionTimeout=DURATION  (default 30s)
 *   resync=DURATION        full re-read as a safety net for watches (default 5m)
 *
 * The protocol of an instance comes from its URL's scheme (grpc and tri:
 * grpc; http, https and rest: http; dubbo and anything else: tcp); the
 * shared `protocol` option is not used.
 */
import { createQueryReader, readCatalogConfig, splitQuery, type CatalogConfig } from '../catalog/options.js';

export interface ZookeeperConfig extends CatalogConfig {
  /** `host:port,host:port`. */
  readonly connect: string;
  readonly root: string;
  readonly name: string;
  readonly category: string;
  readonly digest?: string;
  readonly sessionTimeoutMs: number;
  readonly resyncMs: number;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function parseZookeeperArg(arg: string): ZookeeperConfig {
  const { base, params } = splitQuery(arg);
  if (base === '') throw new Error('HOST:PORT is required after "zookeeper:" (such as 127.0.0.1:2181/dubbo)');
  const slash = base.indexOf('/');
  const connect = slash === -1 ? base : base.slice(0, slash);
  const root = slash === -1 ? '/dubbo' : base.slice(slash).replace(/\/+$/, '') || '/dubbo';
  for (const hp of connect.split(',')) {
    const m = HOST_PORT.exec(hp);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`"${hp}" is not HOST:PORT`);
  }
  const r = createQueryReader(params);
  const digest = r.string('digest');
  if (digest !== undefined && !digest.includes(':')) throw new Error('option "digest": expected USER:PASSWORD');
  const config: ZookeeperConfig = {
    ...readCatalogConfig(r, { protocol: 'tcp' }),
    connect,
    root,
    name: `zookeeper:${connect}${root}`,
    category: r.string('category') ?? 'providers',
    ...(digest ? { digest } : {}),
    sessionTimeoutMs: r.durationMs('sessionTimeout', 30_000),
    resyncMs: r.durationMs('resync', 300_000),
  };
  r.done();
  return config;
}

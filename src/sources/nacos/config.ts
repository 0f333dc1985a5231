/**
 * `--source nacos:URL[?options]`: the Nacos server at URL (`http://host:8848`;
 * the API's context path is `/nacos` unless URL has a path of its own).
 * Options besides the shared ones (src/sources/catalog/options.ts), named
 * after FSM's NacosConnector fields:
 *
 *   namespaceId=ID     Nacos namespace (default `public`)
 *   group=G            groups to read (repeatable; default DEFAULT_GROUP, FSM's groupSet)
 *   cluster=C          clusters to read (repeatable; default DEFAULT, FSM's clusterSet; `*` for all)
 *   username=U, password=P   Nacos auth (or as URL credentials); a token from /v1/auth/login is used
 *   api=v1|v2          which open API to read (default v1: Nacos 1.x and 2.x both serve it)
 *   interval=DURATION  how often the instance lists are polled (default 5s, FSM's syncPeriod)
 *   sync=true, sync…   register mesh services into Nacos (ephemeral, with beats every `heartbeat`),
 *                      in syncGroup (default DEFAULT_GROUP) and syncCluster (default DEFAULT)
 */
import { createQueryReader, displayUrl, parseHttpUrl, readCatalogConfig, readSyncConfig, splitQuery, type CatalogConfig, type RegistrySyncConfig } from '../catalog/options.js';

export interface NacosConfig extends CatalogConfig {
  /** The API root, `…/nacos`, without credentials. */
  readonly url: URL;
  readonly name: string;
  readonly namespaceId: string;
  readonly groups: readonly string[];
  /** Empty: every cluster. */
  readonly clusters: readonly string[];
  readonly username?: string;
  readonly password?: string;
  readonly api: 'v1' | 'v2';
  readonly intervalMs: number;
  readonly sync?: RegistrySyncConfig;
  /** Group and cluster mesh services are registered in (FSM's syncFromK8S groupId, clusterId). */
  readonly syncGroup: string;
  readonly syncCluster: string;
}

export function parseNacosArg(arg: string): NacosConfig {
  const { base, params } = splitQuery(arg);
  if (base === '') throw new Error('a URL is required after "nacos:" (such as http://127.0.0.1:8848)');
  const url = parseHttpUrl(base, 'Nacos address');
  const r = createQueryReader(params);
  const username = r.string('username') ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = r.string('password') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/nacos';
  const api = r.string('api') ?? 'v1';
  if (api !== 'v1' && api !== 'v2') throw new Error(`option "api": "${api}" is not v1 or v2`);
  const clusters = r.list('cluster');
  const config: NacosConfig = {
    ...readCatalogConfig(r, { protocol: 'http' }),
    url,
    name: `nacos:${displayUrl(url)}`,
    namespaceId: r.string('namespaceId') ?? 'public',
    groups: r.list('group').length ? r.list('group') : ['DEFAULT_GROUP'],
    clusters: clusters.length === 0 ? ['DEFAULT'] : clusters.includes('*') ? [] : clusters,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    api,
    intervalMs: r.durationMs('interval', 5_000),
    syncGroup: r.string('syncGroup') ?? 'DEFAULT_GROUP',
    syncCluster: r.string('syncCluster') ?? 'DEFAULT',
  };
  const sync = readSyncConfig(r);
  r.done();
  return sync ? { ...config, sync } : config;
}

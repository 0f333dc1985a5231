/**
 * `--source consul:URL[?options]`: the Consul agent or server at URL (its
 * HTTP API; credentials for HTTP basic auth may be given in the URL).
 * Options besides the shared ones (src/sources/catalog/options.ts):
 *
 *   dc=NAME            the datacenter to read (default: the agent's)
 *   token=TOKEN        ACL token (sent as X-Consul-Token)
 *   passingOnly=BOOL   only instances whose checks all pass (default true, FSM's default)
 *   tag=TAG            only instances with this tag (FSM's filterTag; repeatable)
 *   wait=DURATION      blocking-query wait (default 60s, at most 10m as Consul caps it)
 *   stale=BOOL         allow stale reads from any server (default true, as FSM's AllowStale)
 *   sync=true, sync…   register mesh services into Consul (see readSyncConfig), as catalog
 *                      entries of the node syncNode (default: the cluster set, as FSM's consulNodeName)
 */
import { createQueryReader, displayUrl, parseHttpUrl, readCatalogConfig, readSyncConfig, splitQuery, type CatalogConfig, type RegistrySyncConfig } from '../catalog/options.js';

export interface ConsulConfig extends CatalogConfig {
  readonly url: URL;
  /** The source's name, without credentials. */
  readonly name: string;
  readonly datacenter?: string;
  readonly token?: string;
  readonly passingOnly: boolean;
  readonly waitMs: number;
  readonly stale: boolean;
  readonly sync?: RegistrySyncConfig;
  readonly syncNode: string;
}

export function parseConsulArg(arg: string): ConsulConfig {
  const { base, params } = splitQuery(arg);
  if (base === '') throw new Error('a URL is required after "consul:" (such as http://127.0.0.1:8500)');
  const url = parseHttpUrl(base, 'Consul address');
  const r = createQueryReader(params);
  const catalog = readCatalogConfig(r, { tags: true, protocol: 'http' });
  const datacenter = r.string('dc');
  const token = r.string('token');
  const waitMs = r.durationMs('wait', 60_000);
  if (waitMs > 600_000) throw new Error('option "wait": at most 10m (Consul caps blocking queries there)');
  const config: ConsulConfig = {
    ...catalog,
    url,
    name: `consul:${displayUrl(url)}`,
    ...(datacenter ? { datacenter } : {}),
    ...(token ? { token } : {}),
    passingOnly: r.bool('passingOnly', true),
    waitMs,
    stale: r.bool('stale', true),
    syncNode: r.string('syncNode') ?? catalog.filters.clusterSet,
  };
  const sync = readSyncConfig(r);
  r.done();
  return sync ? { ...config, sync } : config;
}

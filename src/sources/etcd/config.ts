/**
 * `--source etcd:URL[/prefix][?options]`: the etcd v3 cluster member at URL
 * (its HTTP/JSON gateway; user and password for etcd auth may be given in
 * the URL), reading the keys under `prefix/` (default `services`) in the
 * layout etcd's own `naming/endpoints` package writes: `<prefix>/<service>/<address>`
 * holding `{"Op":0,"Addr":"host:port","Metadata":…}`, as gRPC's
 * `etcd:///<prefix>/<service>` resolver reads it. Options besides the shared
 * ones (src/sources/catalog/options.ts):
 *
 *   protocol=P            appProtocol of the instances (default grpc: the layout is gRPC's)
 *   watchTimeout=DURATION a watch without any message this long is started again (default 60s)
 */
import { createQueryReader, displayUrl, parseHttpUrl, readCatalogConfig, splitQuery, type CatalogConfig } from '../catalog/options.js';

export interface EtcdConfig extends CatalogConfig {
  /** The member's URL (no path, no credentials). */
  readonly url: URL;
  readonly name: string;
  /** Key prefix without trailing slash, e.g. `services`. */
  readonly prefix: string;
  readonly username?: string;
  readonly password?: string;
  readonly watchTimeoutMs: number;
}

export function parseEtcdArg(arg: string): EtcdConfig {
  const { base, params } = splitQuery(arg);
  if (base === '') throw new Error('a URL is required after "etcd:" (such as http://127.0.0.1:2379/services)');
  const url = parseHttpUrl(base, 'etcd address');
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '') || 'services';
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  url.pathname = '/';
  const r = createQueryReader(params);
  const config: EtcdConfig = {
    ...readCatalogConfig(r, { protocol: 'grpc' }),
    url,
    name: `etcd:${displayUrl(url)}/${prefix}`,
    prefix,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    watchTimeoutMs: r.durationMs('watchTimeout', 60_000),
  };
  r.done();
  return config;
}

import type { Resource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { encodeResource, HTTP_CONNECTION_MANAGER_TYPE_URL } from '../codec/resource-codec.js';
import { configSource, type ConfigSourceOption } from './config-source.js';
import type { Proto3Json } from './proto3-json.js';

const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export interface ApiListenerOptions {
  /** The listener name; a gRPC client dialing `xds:///<name>` asks LDS for it. */
  readonly name: string;
  /** The RouteConfiguration the HTTP connection manager fetches over RDS. */
  readonly routeConfigName: string;
  /** Where the route configuration comes from; default `'ads'` (gRPC accepts nothing else). */
  readonly rdsConfigSource?: ConfigSourceOption;
  /** The HTTP connection manager's `stat_prefix`; default the listener name. */
  readonly statPrefix?: string;
  /**
   * HTTP filters (`envoy...HttpFilter` in proto3 JSON) that run before the
   * router, in order; the router is always appended last, as gRPC and Envoy
   * require.
   */
  readonly httpFilters?: readonly Proto3Json[];
}

/**
 * A Listener with an API listener: an HttpConnectionManager that takes its
 * routes from RDS. This is the first resource a proxyless gRPC client asks
 * for (gRFC A27) and what an Envoy API listener consumes.
 */
export function apiListener(options: ApiListenerOptions): Resource {
  return encodeResource({
    '@type': TypeUrl.Listener,
    name: options.name,
    api_listener: {
      api_listener: {
        '@type': HTTP_CONNECTION_MANAGER_TYPE_URL,
        stat_prefix: options.statPrefix ?? options.name,
        rds: { route_config_name: options.routeConfigName, config_source: configSource(options.rdsConfigSource) },
        http_filters: [...(options.httpFilters ?? []), { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE_URL } }],
      },
    },
  });
}

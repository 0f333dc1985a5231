import type { Resource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { encodeResource, ResourceError } from '../codec/resource-codec.js';
import type { JsonIssue } from '../codec/proto3-json-types.js';
import type { Proto3Json } from './proto3-json.js';

export interface RouteConfigurationOptions {
  /** The name listeners refer to (ApiListenerOptions.routeConfigName). */
  readonly name: string;
  readonly virtualHosts: readonly VirtualHostOptions[];
}

export interface VirtualHostOptions {
  readonly name: string;
  /** Host names (`:authority`) served; default `['*']`. A gRPC client sends its target name. */
  readonly domains?: readonly string[];
  /** Tried in order; the first whose match holds handles the request. */
  readonly routes: readonly RouteOptions[];
}

/** A path prefix (`''` matches everything; gRPC paths are `/<service>/<method>`) or an exact path. */
export type RouteMatchOptions = { readonly prefix: string; readonly path?: never } | { readonly path: string; readonly prefix?: never };

/** A route sends its requests to one cluster, or splits them between clusters by weight. */
export type RouteOptions = ClusterRouteOptions | WeightedRouteOptions;

export interface ClusterRouteOptions {
  /** Default `{ prefix: '' }`: every request. */
  readonly match?: RouteMatchOptions;
  readonly cluster: string;
  readonly weightedClusters?: never;
}

export interface WeightedRouteOptions {
  /** Default `{ prefix: '' }`: every request. */
  readonly match?: RouteMatchOptions;
  /** Each cluster receives weight / (sum of weights) of the requests; a weight may be 0 but not all of them. */
  readonly weightedClusters: readonly ClusterWeightOptions[];
  readonly cluster?: never;
}

export interface ClusterWeightOptions {
  readonly name: string;
  /** A non-negative integer. */
  readonly weight: number;
}

/**
 * A RouteConfiguration (RDS): virtual hosts by domain, each with routes to
 * one cluster or to weighted clusters. Throws ResourceError naming the field
 * when a route names both or neither of `cluster` and `weightedClusters`, or
 * when its weights sum to 0 (gRPC and Envoy both reject that).
 */
export function routeConfiguration(options: RouteConfigurationOptions): Resource {
  const issues: JsonIssue[] = [];
  const virtualHosts = options.virtualHosts.map((host, h) => ({
    name: host.name,
    domains: [...(host.domains ?? ['*'])],
    routes: host.routes.map((route, r) => routeJson(route, `virtual_hosts[${h}].routes[${r}]`, issues)),
  }));
  if (issues.length) throw new ResourceError(TypeUrl.Route, issues, options.name);
  return encodeResource({ '@type': TypeUrl.Route, name: options.name, virtual_hosts: virtualHosts });
}

function routeJson(route: RouteOptions, path: string, issues: JsonIssue[]): Proto3Json {
  const match = route.match ?? { prefix: '' };
  const matchJson = match.path !== undefined ? { path: match.path } : { prefix: match.prefix };
  const hasCluster = route.cluster !== undefined;
  const hasWeighted = route.weightedClusters !== undefined;
  if (hasCluster === hasWeighted) {
    issues.push({ path: `${path}.route`, reason: 'give exactly one of cluster and weightedClusters' });
    return {};
  }
  if (hasCluster) return { match: matchJson, route: { cluster: route.cluster } };
  const clusters = route.weightedClusters ?? [];
  if (!clusters.some((c) => c.weight > 0)) {
    issues.push({ path: `${path}.route.weighted_clusters`, reason: 'the weights sum to 0; at least one cluster needs a positive weight' });
  }
  return { match: matchJson, route: { weighted_clusters: { clusters: clusters.map((c) => ({ name: c.name, weight: c.weight })) } } };
}

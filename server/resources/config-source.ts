import type { Proto3Json } from './proto3-json.js';

/**
 * Where a client fetches a resource that another one names (a listener's
 * route configuration, a cluster's endpoints, a secret): `'ads'` (the same
 * ADS stream; the only choice gRPC accepts for RDS and EDS, gRFC A27),
 * `'self'` (the server that sent the naming resource), or an
 * `envoy.config.core.v3.ConfigSource` in proto3 JSON.
 */
export type ConfigSourceOption = 'ads' | 'self' | Proto3Json;

/** The ConfigSource (proto3 JSON, xDS v3) for an option; `'ads'` when none is given. */
export function configSource(option: ConfigSourceOption | undefined): Proto3Json {
  if (option === undefined || option === 'ads') return { ads: {}, resource_api_version: 'V3' };
  if (option === 'self') return { self: {}, resource_api_version: 'V3' };
  return option;
}

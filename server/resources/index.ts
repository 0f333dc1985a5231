/**
 * Typed builders for the xDS resources gRPC and Envoy clients need
 * (`fsm-control-plane/resources`): an API listener with RDS, a route
 * configuration with weighted clusters, an EDS cluster, its
 * ClusterLoadAssignment and SDS secrets. Each returns an immutable Resource,
 * validated and encoded once, ready for a snapshot or a linear cache. For
 * anything the options do not cover, write the resource in proto3 JSON and
 * pass it to `encodeResource`, which these builders use themselves.
 */
export { apiListener, type ApiListenerOptions } from './api-listener.js';
export {
  routeConfiguration,
  type ClusterRouteOptions,
  type ClusterWeightOptions,
  type RouteConfigurationOptions,
  type RouteMatchOptions,
  type RouteOptions,
  type VirtualHostOptions,
  type WeightedRouteOptions,
} from './route-configuration.js';
export { edsCluster, type EdsClusterOptions, type LbPolicy, type UpstreamTlsOptions } from './eds-cluster.js';
export {
  clusterLoadAssignment,
  type ClusterLoadAssignmentOptions,
  type EndpointOptions,
  type HealthStatus,
  type LocalityOptions,
} from './cluster-load-assignment.js';
export {
  sdsSecret,
  type SdsSecretOptions,
  type SubjectAltNameOptions,
  type TlsCertificateOptions,
  type ValidationContextOptions,
} from './sds-secret.js';
export type { ConfigSourceOption } from './config-source.js';
export type { Proto3Json } from './proto3-json.js';
export { decodeResource, encodeResource, ResourceError, type EncodeOptions } from '../codec/resource-codec.js';
export type { JsonIssue } from '../codec/proto3-json-types.js';

/**
 * The public entry of the xDS server (`fsm-control-plane/server`): the gRPC
 * server (ADS and per-type services, SotW and delta), a programmatic ADS
 * client, and the callback, authorizer and option types.
 */
export {
  createXdsServer,
  type XdsKeepaliveOptions,
  type XdsServer,
  type XdsServerLimits,
  type XdsServerOptions,
} from './transport/grpc-server.js';
export {
  createAdsClient,
  type AdsClient,
  type AdsClientOptions,
  type ClientResource,
  type ClientResponse,
  type ClientStatus,
  type RawRequest,
} from './transport/ads-client.js';
export type {
  AuthorizeContext,
  Authorizer,
  DeltaResponseInfo,
  LegacyWildcardOption,
  PeerInfo,
  SotwResponseInfo,
  XdsCallbacks,
} from './stream-types.js';
export type { DeltaDiscoveryRequestMessage, DiscoveryRequestMessage, ErrorDetail } from './codec/discovery.js';
export { envelopeCounter } from './codec/discovery.js';
export { StatusCode, XdsStatusError } from './errors.js';
export { XDS_SERVICES, type XdsServiceSpec } from './transport/services.js';

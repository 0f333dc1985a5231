/**
 * The public entry of the xDS server (`fsm-control-plane/server`): the gRPC
 * server (ADS and per-type services CDS/EDS/LDS/RDS/SDS, SotW and delta), a
 * programmatic ADS client, the callback, authorizer and option types, and
 * composeCallbacks for several observers of one server.
 *
 * Behaviour in brief (details on createSotwStream / createDeltaStream):
 * - Nonces are per stream, shared by all types, strictly increasing.
 * - SotW ignores a request whose non-empty `response_nonce` is not the last
 *   one sent for its type; delta applies every subscription change.
 * - ACK vs NACK is decided by `error_detail` alone. A NACK is recorded
 *   (`recordProgress('nack')` with the client's text) and the type is
 *   re-watched with the rejected version, so it is never resent; the next
 *   different version is.
 * - ADS responses leave in CDS, EDS, LDS, RDS, SDS… order, one pending per
 *   type; after CDS, EDS is answered even if unchanged.
 * - Unknown type URL (the cache throws UnknownTypeError): the stream stays
 *   open and its other types are served; that type gets no response, and
 *   the reason "type URL X is not served" is logged (warn) and passed to
 *   `callbacks.onUnservedType`. The Envoy API shipped here has no
 *   `DiscoveryResponse.resource_errors` to tell the client in-band.
 * - Protocol errors end only the offending stream: first request without a
 *   node, ADS request without a type URL, a per-type stream asked for another
 *   type, or an undecodable message: INVALID_ARGUMENT; a callback that
 *   throws: its `code` or INTERNAL; an authorizer that throws: its `code` or
 *   PERMISSION_DENIED.
 * - Limits: `maxStreams` (RESOURCE_EXHAUSTED beyond it); per stream, writes
 *   pause on backpressure or when unsent bytes reach
 *   `maxQueuedBytesPerStream`, and a stream stuck above it for
 *   `sendTimeoutMs` is cancelled with RESOURCE_EXHAUSTED.
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
export { composeCallbacks } from './compose-callbacks.js';
export { createJsonLogger, silentLogger, type Logger, type LogLevel } from '../src/shared/logger.js';

import type * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../../cache/types.js';
import { joinParts, type ResponseParts } from '../codec/discovery.js';

/**
 * The xDS gRPC services, as hand-built grpc-js ServiceDefinitions that pass
 * raw bytes both ways: requests are decoded by the stream adapter (so a
 * malformed one becomes INVALID_ARGUMENT on that stream), and responses are
 * written as their parts (codec/discovery.ts), never re-encoded.
 */
export interface XdsServiceSpec {
  /** Fully qualified service name. */
  readonly service: string;
  /** '' for ADS, else the type URL the per-type service serves. */
  readonly typeUrl: string;
  readonly sotwMethod: string;
  readonly deltaMethod: string;
}

export const XDS_SERVICES: readonly XdsServiceSpec[] = [
  { service: 'envoy.service.discovery.v3.AggregatedDiscoveryService', typeUrl: '', sotwMethod: 'StreamAggregatedResources', deltaMethod: 'DeltaAggregatedResources' },
  { service: 'envoy.service.cluster.v3.ClusterDiscoveryService', typeUrl: TypeUrl.Cluster, sotwMethod: 'StreamClusters', deltaMethod: 'DeltaClusters' },
  { service: 'envoy.service.endpoint.v3.EndpointDiscoveryService', typeUrl: TypeUrl.Endpoint, sotwMethod: 'StreamEndpoints', deltaMethod: 'DeltaEndpoints' },
  { service: 'envoy.service.listener.v3.ListenerDiscoveryService', typeUrl: TypeUrl.Listener, sotwMethod: 'StreamListeners', deltaMethod: 'DeltaListeners' },
  { service: 'envoy.service.route.v3.RouteDiscoveryService', typeUrl: TypeUrl.Route, sotwMethod: 'StreamRoutes', deltaMethod: 'DeltaRoutes' },
  { service: 'envoy.service.secret.v3.SecretDiscoveryService', typeUrl: TypeUrl.Secret, sotwMethod: 'StreamSecrets', deltaMethod: 'DeltaSecrets' },
];

/** The service that streams `typeUrl` ('' for ADS). */
export function serviceFor(typeUrl: string): XdsServiceSpec | undefined {
  return XDS_SERVICES.find((s) => s.typeUrl === typeUrl);
}

export function methodPath(spec: XdsServiceSpec, kind: 'sotw' | 'delta'): string {
  return `/${spec.service}/${kind === 'sotw' ? spec.sotwMethod : spec.deltaMethod}`;
}

const passThrough = (b: Buffer): Buffer => b;

/** Responses up to this size are joined in the shared buffer below; larger ones (rare) get their own. */
const SCRATCH_MAX = 1 << 20;
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Joins a response's parts into one buffer shared by every response of the
 * process. grpc-js calls this from its serializeMessage, which copies the
 * result into the frame it sends before anything else runs (grpc-js 1.14
 * server-interceptors.js), so the buffer is free again at once. A response
 * sent to many streams thus costs each stream one allocation and copy (the
 * frame's), as a pre-encoded Buffer would, not two: joining into fresh
 * memory per stream took as long as grpc-js's own copy, plus the garbage.
 */
function serializeResponse(r: ResponseParts): Buffer {
  if (r.length > scratch.length && r.length <= SCRATCH_MAX) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(r.length, scratch.length * 2)));
  return joinParts(r, r.length <= scratch.length ? scratch : undefined);
}

/** A response read back (by a client of these definitions): its bytes, as one part. */
const responseOf = (b: Buffer): ResponseParts => ({ parts: [b], length: b.length });

function bidi(path: string, name: string): grpc.MethodDefinition<Buffer, ResponseParts> {
  return {
    path,
    originalName: name,
    requestStream: true,
    responseStream: true,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: serializeResponse,
    responseDeserialize: responseOf,
  };
}

/** The ServiceDefinition for one xDS service: its SotW and delta streaming methods. */
export function serviceDefinition(spec: XdsServiceSpec): grpc.ServiceDefinition {
  return {
    [spec.sotwMethod]: bidi(methodPath(spec, 'sotw'), spec.sotwMethod),
    [spec.deltaMethod]: bidi(methodPath(spec, 'delta'), spec.deltaMethod),
  };
}

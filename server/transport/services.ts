import type * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../../cache/types.js';

/**
 * The xDS gRPC services, as hand-built grpc-js ServiceDefinitions that pass
 * raw bytes both ways: requests are decoded by the stream adapter (so a
 * malformed one becomes INVALID_ARGUMENT on that stream), and responses are
 * the pre-assembled Buffers, never re-encoded.
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

function bidi(path: string, name: string): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path,
    originalName: name,
    requestStream: true,
    responseStream: true,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  };
}

/** The ServiceDefinition for one xDS service: its SotW and delta streaming methods. */
export function serviceDefinition(spec: XdsServiceSpec): grpc.ServiceDefinition {
  return {
    [spec.sotwMethod]: bidi(methodPath(spec, 'sotw'), spec.sotwMethod),
    [spec.deltaMethod]: bidi(methodPath(spec, 'delta'), spec.deltaMethod),
  };
}

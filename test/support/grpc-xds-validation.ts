import { createRequire } from 'node:module';
import type { Resource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';

/**
 * gRPC's own validation of xDS resources: @grpc/grpc-js-xds decodes a
 * resource as its xDS client does on receipt (gRFC A27 and later rules) and
 * returns its name and value, or the error text the client would NACK with.
 * It reaches into the package's build (pinned in package.json): the client
 * has no public API for this.
 */
const require = createRequire(import.meta.url);
(require('@grpc/grpc-js-xds') as { register(): void }).register();

interface Decoder {
  decode(context: unknown, any: { type_url: string; value: Buffer }): { name: string; value?: object; error?: string };
}
const decoder = (file: string, exported: string): Decoder =>
  (require(`@grpc/grpc-js-xds/build/src/xds-resource-type/${file}.js`) as Record<string, { get(): Decoder }>)[exported]!.get();

const DECODERS: Record<string, Decoder> = {
  [TypeUrl.Listener]: decoder('listener-resource-type', 'ListenerResourceType'),
  [TypeUrl.Route]: decoder('route-config-resource-type', 'RouteConfigurationResourceType'),
  [TypeUrl.Cluster]: decoder('cluster-resource-type', 'ClusterResourceType'),
  [TypeUrl.Endpoint]: decoder('endpoint-resource-type', 'EndpointResourceType'),
};

const CONTEXT = {
  server: { serverUri: '127.0.0.1:1', channelCredentials: { type: 'insecure' }, serverFeatures: [] },
  bootstrap: { xdsServers: [], node: { id: 'test' }, authorities: {} },
};

/** What a gRPC xDS client makes of `resource`: undefined when it accepts it, else its error text. */
export function grpcRejection(resource: Resource): string | undefined {
  const decode = DECODERS[resource.typeUrl];
  if (!decode) throw new Error(`gRPC does not consume ${resource.typeUrl}`);
  const result = decode.decode(CONTEXT, { type_url: resource.typeUrl, value: Buffer.from(resource.bytes) });
  if (result.error !== undefined) return result.error;
  if (result.name !== resource.name) return `gRPC read the name "${result.name}", not "${resource.name}"`;
  return undefined;
}

import t from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { decodeResource } from '../../../server/codec/resource-codec.js';
import { edsCluster } from '../../../server/resources/eds-cluster.js';
import { grpcRejection } from '../../support/grpc-xds-validation.js';

const json = (r: { typeUrl: string; bytes: Uint8Array }) => decodeResource(r.typeUrl, r.bytes) as Record<string, unknown>;
const ADS = { ads: {}, resource_api_version: 'V3' };

t.test('an EDS cluster over ADS references its ClusterLoadAssignment', async (t) => {
  const a = edsCluster({ name: 'a' });
  t.equal(a.typeUrl, TypeUrl.Cluster);
  t.same(json(a), { '@type': TypeUrl.Cluster, name: 'a', type: 'EDS', eds_cluster_config: { eds_config: ADS } }, 'ROUND_ROBIN is the proto default, so not on the wire');
  t.same(a.references, [{ typeUrl: TypeUrl.Endpoint, name: 'a' }]);
  t.equal(grpcRejection(a), undefined, "gRPC's own validation accepts it");
  const named = edsCluster({ name: 'a', serviceName: 'a-endpoints', lbPolicy: 'RING_HASH', edsConfigSource: 'self' });
  t.same(json(named), {
    '@type': TypeUrl.Cluster,
    name: 'a',
    type: 'EDS',
    eds_cluster_config: { eds_config: { self: {}, resource_api_version: 'V3' }, service_name: 'a-endpoints' },
    lb_policy: 'RING_HASH',
  });
  t.same(named.references, [{ typeUrl: TypeUrl.Endpoint, name: 'a-endpoints' }]);
  t.equal(grpcRejection(named), undefined, 'RING_HASH and a service name too');
});

t.test('upstream TLS takes its certificate and validation context from SDS', async (t) => {
  const c = edsCluster({ name: 'a', upstreamTls: { certificateSecret: 'sa.ns', validationContextSecret: 'root-cert', sni: 'a.ns.svc' } });
  t.same(json(c).transport_socket, {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'sa.ns', sds_config: ADS }],
        validation_context_sds_secret_config: { name: 'root-cert', sds_config: ADS },
      },
      sni: 'a.ns.svc',
    },
  });
  const serverOnly = edsCluster({ name: 'a', upstreamTls: { validationContextSecret: 'root-cert' } });
  const ctx = (json(serverOnly).transport_socket as { typed_config: { common_tls_context: Record<string, unknown> } }).typed_config.common_tls_context;
  t.same(Object.keys(ctx), ['validation_context_sds_secret_config'], 'no client certificate unless one is named');
});

t.test('an invalid policy is refused naming the cluster and the field', async (t) => {
  t.throws(() => edsCluster({ name: 'a', lbPolicy: 'FASTEST' as 'RANDOM' }), { name: 'ResourceError', message: /^invalid envoy\.config\.cluster\.v3\.Cluster "a": lb_policy: unknown/ });
});

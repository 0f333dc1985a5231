import t from 'tap';
import { createSnapshot } from '../../../cache/snapshot.js';
import { TypeUrl } from '../../../cache/types.js';
import { decodeResource, encodeResource } from '../../../server/codec/resource-codec.js';
import { clusterLoadAssignment, type ClusterLoadAssignmentOptions } from '../../../server/resources/cluster-load-assignment.js';
import { edsCluster } from '../../../server/resources/eds-cluster.js';
import { grpcRejection } from '../../support/grpc-xds-validation.js';

const json = (r: { typeUrl: string; bytes: Uint8Array }) => decodeResource(r.typeUrl, r.bytes) as Record<string, unknown>;
const socket = (address: string, port: number) => ({ endpoint: { address: { socket_address: { address, port_value: port } } } });

t.test('a flat endpoint list is one unnamed locality of weight 1 (gRPC refuses one without a locality, ignores one without a weight)', async (t) => {
  const cla = clusterLoadAssignment({ clusterName: 'a', endpoints: [{ address: '127.0.0.1', port: 8001 }, { address: '::1', port: 8002 }] });
  t.equal(cla.typeUrl, TypeUrl.Endpoint);
  t.equal(cla.name, 'a');
  t.same(json(cla), {
    '@type': TypeUrl.Endpoint,
    cluster_name: 'a',
    endpoints: [{ locality: {}, lb_endpoints: [socket('127.0.0.1', 8001), socket('::1', 8002)], load_balancing_weight: 1 }],
  });
  const snapshot = createSnapshot({ resources: { [TypeUrl.Cluster]: [edsCluster({ name: 'a' })], [TypeUrl.Endpoint]: [cla] } });
  t.same(snapshot.consistencyErrors(), [], 'it satisfies the EDS cluster of the same name');
  t.equal(grpcRejection(cla), undefined, "gRPC's own validation accepts it");
  const bare = encodeResource({ '@type': TypeUrl.Endpoint, cluster_name: 'a', endpoints: [{ load_balancing_weight: 1, lb_endpoints: [socket('127.0.0.1', 8001)] }] });
  t.match(grpcRejection(bare), /locality unset/, 'while gRPC refuses the same endpoints without a locality');
});

t.test('localities with weights, priorities, endpoint weights and health', async (t) => {
  const cla = clusterLoadAssignment({
    clusterName: 'a',
    localities: [
      { region: 'eu', zone: 'eu-1', subZone: 'rack-2', weight: 3, endpoints: [{ address: '10.0.0.1', port: 80, weight: 2, healthStatus: 'HEALTHY' }] },
      { region: 'us', priority: 1, endpoints: [{ address: '10.0.1.1', port: 80, healthStatus: 'DRAINING' }] },
    ],
  });
  t.same(json(cla).endpoints, [
    {
      locality: { region: 'eu', zone: 'eu-1', sub_zone: 'rack-2' },
      lb_endpoints: [{ ...socket('10.0.0.1', 80), health_status: 'HEALTHY', load_balancing_weight: 2 }],
      load_balancing_weight: 3,
    },
    { locality: { region: 'us' }, lb_endpoints: [{ ...socket('10.0.1.1', 80), health_status: 'DRAINING' }], load_balancing_weight: 1, priority: 1 },
  ]);
  t.equal(grpcRejection(cla), undefined, "gRPC's own validation accepts it");
});

t.test('bad options are refused naming the assignment and the field', async (t) => {
  t.throws(() => clusterLoadAssignment({ clusterName: 'a', endpoints: [{ address: '127.0.0.1', port: 70000 }] }), {
    name: 'ResourceError',
    message: /^invalid envoy\.config\.endpoint\.v3\.ClusterLoadAssignment "a": endpoints\[0\]\.lb_endpoints\[0\]\.endpoint\.address\.socket_address\.port_value: must be <= 65535/,
  });
  t.throws(() => clusterLoadAssignment({ clusterName: 'a', localities: [{ weight: 0, endpoints: [] }] }), /endpoints\[0\]\.load_balancing_weight/);
  const both = { clusterName: 'a', endpoints: [], localities: [] } as unknown as ClusterLoadAssignmentOptions;
  t.throws(() => clusterLoadAssignment(both), /"a": endpoints: give exactly one of endpoints and localities/);
  t.throws(() => clusterLoadAssignment({ clusterName: 'a' } as ClusterLoadAssignmentOptions), /give exactly one of endpoints and localities/);
});

import t from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { decodeResource, ResourceError } from '../../../server/codec/resource-codec.js';
import { routeConfiguration, type RouteOptions } from '../../../server/resources/route-configuration.js';
import { grpcRejection } from '../../support/grpc-xds-validation.js';

const json = (r: { typeUrl: string; bytes: Uint8Array }) => decodeResource(r.typeUrl, r.bytes) as Record<string, unknown>;

t.test('virtual hosts with a route to one cluster and a weighted split (a weight may be 0)', async (t) => {
  const routes = routeConfiguration({
    name: 'echo-routes',
    virtualHosts: [
      {
        name: 'echo',
        routes: [
          { match: { path: '/interop.Echo/Echo' }, cluster: 'a' },
          { match: { prefix: '/interop.' }, weightedClusters: [{ name: 'a', weight: 100 }, { name: 'b', weight: 0 }] },
        ],
      },
      { name: 'other', domains: ['other', 'other:8080'], routes: [{ cluster: 'b' }] },
    ],
  });
  t.equal(routes.typeUrl, TypeUrl.Route);
  t.equal(routes.name, 'echo-routes');
  t.same(routes.references, [], 'clusters are not checked by snapshot consistency (CDS is requested independently)');
  t.equal(grpcRejection(routes), undefined, "gRPC's own validation accepts it, 0 weight included");
  t.same(json(routes), {
    '@type': TypeUrl.Route,
    name: 'echo-routes',
    virtual_hosts: [
      {
        name: 'echo',
        domains: ['*'],
        routes: [
          { match: { path: '/interop.Echo/Echo' }, route: { cluster: 'a' } },
          { match: { prefix: '/interop.' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: 100 }, { name: 'b', weight: 0 }] } } },
        ],
      },
      { name: 'other', domains: ['other', 'other:8080'], routes: [{ match: { prefix: '' }, route: { cluster: 'b' } }] },
    ],
  });
});

t.test('a new weight split is a new version', async (t) => {
  const split = (a: number, b: number) =>
    routeConfiguration({ name: 'r', virtualHosts: [{ name: 'v', routes: [{ weightedClusters: [{ name: 'a', weight: a }, { name: 'b', weight: b }] }] }] });
  t.equal(split(100, 0).version, split(100, 0).version);
  t.not(split(100, 0).version, split(0, 100).version);
});

t.test('bad routes are refused with ResourceError naming the route configuration and the field', async (t) => {
  const config = (route: RouteOptions) => () => routeConfiguration({ name: 'r', virtualHosts: [{ name: 'v', routes: [{ cluster: 'ok' }, route] }] });
  t.throws(config({ weightedClusters: [{ name: 'a', weight: 0 }, { name: 'b', weight: 0 }] }), {
    name: 'ResourceError',
    message: 'invalid envoy.config.route.v3.RouteConfiguration "r": virtual_hosts[0].routes[1].route.weighted_clusters: the weights sum to 0; at least one cluster needs a positive weight',
  });
  t.throws(config({ weightedClusters: [] }), /routes\[1\]\.route\.weighted_clusters: the weights sum to 0/);
  t.throws(config({ cluster: 'a', weightedClusters: [{ name: 'a', weight: 1 }] } as unknown as RouteOptions), /routes\[1\]\.route: give exactly one of cluster and weightedClusters/);
  t.throws(config({} as RouteOptions), /routes\[1\]\.route: give exactly one of cluster and weightedClusters/);
  t.throws(config({ weightedClusters: [{ name: 'a', weight: -1 }, { name: 'b', weight: 2 }] }), ResourceError, 'a negative weight is not a uint32');
  t.throws(config({ cluster: '' }), /route\.cluster/, 'an empty cluster name breaks the Envoy API rules');
});

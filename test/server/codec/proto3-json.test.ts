import t from 'tap';
import { fromProto3Json, Proto3JsonError, toProto3Json } from '../../../server/codec/proto3-json.js';
import { typeForUrl, xdsRoot } from '../../../server/codec/protos.js';

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const type = (url: string) => {
  const found = typeForUrl(url);
  if (!found) throw new Error(`no type ${url}`);
  return found;
};

/** Converts, encodes, decodes and renders back to JSON: what a client would see. */
const roundTrip = (url: string, json: unknown) => {
  const ty = type(url);
  return toProto3Json(ty, ty.decode(ty.encode(fromProto3Json(ty, json)).finish())) as Record<string, unknown>;
};

const issuesOf = (url: string, json: unknown) => {
  try {
    fromProto3Json(type(url), json);
  } catch (err) {
    if (err instanceof Proto3JsonError) return err.issues.map((i) => `${i.path}: ${i.reason}`);
    throw err;
  }
  return [];
};

t.test('snake_case and lowerCamelCase names give the same bytes', async (t) => {
  const ty = type(CLUSTER);
  const snake = ty.encode(fromProto3Json(ty, { name: 'a', connect_timeout: '2s', eds_cluster_config: { service_name: 's' } })).finish();
  const camel = ty.encode(fromProto3Json(ty, { name: 'a', connectTimeout: '2s', edsClusterConfig: { serviceName: 's' } })).finish();
  t.same(Buffer.from(snake), Buffer.from(camel));
  t.ok(snake.length > 5);
});

t.test('enums by name or number, wrappers as plain values, durations', async (t) => {
  const out = roundTrip(CLUSTER, {
    name: 'c',
    type: 'EDS',
    lb_policy: 2,
    connect_timeout: '1.5s',
    per_connection_buffer_limit_bytes: 32768,
    common_lb_config: { healthy_panic_threshold: { value: 40 } },
    respect_dns_ttl: true,
  });
  t.equal(out.type, 'EDS');
  t.equal(out.lb_policy, 'RING_HASH');
  t.equal(out.connect_timeout, '1.500s');
  t.equal(out.per_connection_buffer_limit_bytes, 32768);
  t.same(out.common_lb_config, { healthy_panic_threshold: { value: 40 } });
});

t.test('int64 as number or string; bytes as base64; timestamps', async (t) => {
  const root = xdsRoot();
  const ty = root.lookupType('envoy.config.core.v3.DataSource');
  const bytesOut = toProto3Json(ty, ty.decode(ty.encode(fromProto3Json(ty, { inline_bytes: Buffer.from('hello').toString('base64') })).finish()));
  t.same(bytesOut, { inline_bytes: Buffer.from('hello').toString('base64') });
  const lb = root.lookupType('envoy.config.cluster.v3.Cluster.RingHashLbConfig');
  for (const v of [1024, '1024']) {
    const json = toProto3Json(lb, lb.decode(lb.encode(fromProto3Json(lb, { minimum_ring_size: v })).finish()));
    t.same(json, { minimum_ring_size: '1024' }, `UInt64Value from ${typeof v}`);
  }
  t.match(issuesOf(CLUSTER, { name: 'c', ring_hash_lb_config: { minimum_ring_size: '-1' } }), [/minimum_ring_size: expected a uint64 in range/]);
  const ts = root.lookupType('google.protobuf.Timestamp');
  const stamp = toProto3Json(ts, ts.decode(ts.encode(fromProto3Json(ts, '2024-02-03T04:05:06.250+01:00')).finish()));
  t.equal(stamp, '2024-02-03T03:05:06.250Z');
});

t.test('nested Any with @type, Struct as plain JSON, maps', async (t) => {
  const listener = {
    '@type': LISTENER,
    name: 'l',
    api_listener: {
      api_listener: {
        '@type': HCM,
        stat_prefix: 's',
        rds: { route_config_name: 'r', config_source: { ads: {} } },
        http_filters: [{ name: 'router', typed_config: { '@type': ROUTER } }],
      },
    },
    metadata: { filter_metadata: { team: { owner: 'a', tags: ['x', 1, true, null, { deep: 2 }] } } },
  };
  const out = roundTrip(LISTENER, listener);
  t.same(out.api_listener, listener.api_listener);
  t.same(out.metadata, listener.metadata);
});

t.test('map key order does not change the bytes', async (t) => {
  const ty = type(CLUSTER);
  const a = ty.encode(fromProto3Json(ty, { name: 'c', metadata: { filter_metadata: { x: { a: 1, b: 2 }, y: {} } } })).finish();
  const b = ty.encode(fromProto3Json(ty, { name: 'c', metadata: { filter_metadata: { y: {}, x: { b: 2, a: 1 } } } })).finish();
  t.same(Buffer.from(a), Buffer.from(b));
});

t.test('errors name the field path', async (t) => {
  const issues = issuesOf(LISTENER, {
    name: 'l',
    filter_chains: [
      {
        filters: [
          { name: 'a' },
          { name: 'hcm', typed_config: { '@type': HCM, stat_prefix: 's', stat_prefx: 'typo' } },
        ],
      },
    ],
  });
  t.same(issues, ['filter_chains[0].filters[1].typed_config.stat_prefx: unknown field']);
});

t.test('type mismatches, bad enums, bad durations, oneof conflicts are all collected', async (t) => {
  const issues = issuesOf(CLUSTER, {
    name: 7,
    type: 'EDSS',
    connect_timeout: '5 seconds',
    lb_policy: true,
    eds_cluster_config: [],
    cluster_type: { name: 'x' },
  });
  t.equal(issues.length, 6, issues.join('\n'));
  t.match(issues, [
    /^name: expected a string, got 7$/,
    /^type: unknown .*DiscoveryType value "EDSS"/,
    /^connect_timeout: expected a duration/,
    /^lb_policy: expected a .*LbPolicy name, got true$/,
    /^eds_cluster_config: expected an object/,
    /^cluster_type: only one of "type" and "cluster_type" may be set/,
  ]);
});

t.test('uint32 range, wrong @type, unknown Any type', async (t) => {
  t.match(issuesOf(CLUSTER, { name: 'c', per_connection_buffer_limit_bytes: -1 }), [/per_connection_buffer_limit_bytes: expected a uint32 in \[0, 4294967295\]/]);
  t.match(issuesOf(CLUSTER, { '@type': LISTENER, name: 'c' }), [/^@type: expected "type.googleapis.com\/envoy.config.cluster.v3.Cluster"/]);
  t.match(
    issuesOf(LISTENER, { name: 'l', api_listener: { api_listener: { '@type': 'type.googleapis.com/no.such.Type' } } }),
    ['api_listener.api_listener.@type: unknown type type.googleapis.com/no.such.Type'],
  );
});

t.test('extension types not preloaded are resolved from the Envoy API tree', async (t) => {
  const fault = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
  const hcm = { '@type': HCM, stat_prefix: 's', http_filters: [{ name: 'fault', typed_config: { '@type': fault, max_active_faults: 3 } }] };
  const out = roundTrip(LISTENER, { name: 'l', api_listener: { api_listener: hcm } });
  t.same(out.api_listener, { api_listener: hcm });
  t.match(issuesOf(LISTENER, { name: 'l', api_listener: { api_listener: { ...hcm, http_filters: [{ name: 'f', typed_config: { '@type': fault, nope: 1 } }] } } }), [
    'api_listener.api_listener.http_filters[0].typed_config.nope: unknown field',
  ]);
});

t.test('null means unset; Any wrapping a well-known type uses "value"', async (t) => {
  const out = roundTrip(CLUSTER, { name: 'c', connect_timeout: null, typed_extension_protocol_options: { x: { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '3s' } } });
  t.same(out, { name: 'c', typed_extension_protocol_options: { x: { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '3s' } } });
  t.match(issuesOf(CLUSTER, { name: 'c', typed_extension_protocol_options: { x: { '@type': 'type.googleapis.com/google.protobuf.Duration', seconds: 3 } } }), [
    /typed_extension_protocol_options\["x"\]\.seconds: unknown field/,
  ]);
});

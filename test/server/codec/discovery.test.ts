import t from 'tap';
import { createResource } from '../../../cache/resource.js';
import { TypeUrl, type SotwResponse } from '../../../cache/types.js';
import {
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  encodeDeltaResponse,
  encodeSotwResponse,
  envelopeCounter,
  joinParts,
  objectToStruct,
} from '../../../server/codec/discovery.js';
import { xdsRoot } from '../../../server/codec/protos.js';

const root = xdsRoot();
const Cluster = root.lookupType('envoy.config.cluster.v3.Cluster');
const clusterBytes = (name: string) => Cluster.encode(Cluster.fromObject({ name, connectTimeout: { seconds: 1 } })).finish();
const res = (name: string) => createResource({ typeUrl: TypeUrl.Cluster, name, bytes: clusterBytes(name) });

t.test('a SotW response decodes as DiscoveryResponse; the body is encoded once per response object', async (t) => {
  const sotw: SotwResponse = { typeUrl: TypeUrl.Cluster, version: 'v7', resources: [res('a'), res('b')], returned: new Map() };
  const before = envelopeCounter.sotwBodies;
  const one = encodeSotwResponse(sotw, '1');
  const two = encodeSotwResponse(sotw, '22');
  t.equal(envelopeCounter.sotwBodies - before, 1, 'one body for two streams');
  t.equal(one.parts[0], two.parts[0], 'the very same bytes: nothing is copied per stream here');
  t.equal(one.length, joinParts(one).length);
  const Response = root.lookupType('envoy.service.discovery.v3.DiscoveryResponse');
  for (const [bytes, nonce] of [[one, '1'], [two, '22']] as const) {
    const m = Response.toObject(Response.decode(joinParts(bytes))) as { versionInfo: string; typeUrl: string; nonce: string; resources: Array<{ type_url: string; value: Uint8Array }> };
    t.equal(m.versionInfo, 'v7');
    t.equal(m.typeUrl, TypeUrl.Cluster);
    t.equal(m.nonce, nonce);
    t.same(m.resources.map((r) => r.type_url), [TypeUrl.Cluster, TypeUrl.Cluster]);
    t.same(m.resources.map((r) => (Cluster.toObject(Cluster.decode(r.value)) as { name: string }).name), ['a', 'b']);
  }
});

t.test('a delta response decodes as DeltaDiscoveryResponse; resource entries are encoded once per resource', async (t) => {
  const a = res('a');
  const before = envelopeCounter.deltaResources;
  const delta = { typeUrl: TypeUrl.Cluster, systemVersion: 'sv', resources: [a], removed: ['gone', 'old'], returned: new Map() };
  encodeDeltaResponse(delta, '3');
  const bytes = encodeDeltaResponse({ ...delta, removed: [] }, '4');
  t.equal(envelopeCounter.deltaResources - before, 1);
  const Response = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const first = Response.toObject(Response.decode(joinParts(encodeDeltaResponse(delta, '3')))) as Record<string, unknown>;
  t.same(first['removedResources'], ['gone', 'old']);
  const m = Response.toObject(Response.decode(joinParts(bytes))) as {
    systemVersionInfo: string;
    typeUrl: string;
    nonce: string;
    resources: Array<{ name: string; version: string; resource: { type_url: string } }>;
  };
  t.equal(m.systemVersionInfo, 'sv');
  t.equal(m.typeUrl, TypeUrl.Cluster);
  t.equal(m.nonce, '4');
  t.same(m.resources.map((r) => [r.name, r.version, r.resource.type_url]), [['a', a.version, TypeUrl.Cluster]]);
});

t.test('requests decode with node, metadata, NACK detail and initial versions', async (t) => {
  const Request = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const node = { id: 'n', cluster: 'c', userAgentName: 'envoy', userAgentVersion: '1.30', metadata: objectToStruct({ a: 'x', n: 2, list: [true, null], sub: { k: 'v' } }) };
  const bytes = Request.encode(
    Request.fromObject({ node, typeUrl: TypeUrl.Cluster, resourceNames: ['a'], versionInfo: 'v1', responseNonce: '5', errorDetail: { code: 3, message: 'bad' } }),
  ).finish();
  const r = decodeDiscoveryRequest(bytes);
  t.same(r, {
    versionInfo: 'v1',
    node: { id: 'n', cluster: 'c', metadata: { a: 'x', n: 2, list: [true, null], sub: { k: 'v' } }, userAgentName: 'envoy', userAgentVersion: '1.30' },
    resourceNames: ['a'],
    typeUrl: TypeUrl.Cluster,
    responseNonce: '5',
    errorDetail: { code: 3, message: 'bad' },
  });
  t.equal(decodeDiscoveryRequest(Request.encode(Request.fromObject({ typeUrl: 'x' })).finish()).errorDetail, undefined, 'an ACK has no error detail');

  const Delta = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const d = decodeDeltaDiscoveryRequest(
    Delta.encode(Delta.fromObject({ typeUrl: TypeUrl.Cluster, resourceNamesSubscribe: ['a'], resourceNamesUnsubscribe: ['b'], initialResourceVersions: { a: 'h1' } })).finish(),
  );
  t.same([...d.initialResourceVersions], [['a', 'h1']]);
  t.same(d.resourceNamesSubscribe, ['a']);
  t.same(d.resourceNamesUnsubscribe, ['b']);
  t.equal(d.node, undefined);
  t.throws(() => decodeDiscoveryRequest(Uint8Array.from([0x0a, 0x7f, 0x01])), 'malformed bytes throw');
});

t.test('joinParts: into the given buffer when it is large enough, else a new one', async (t) => {
  const r = { parts: [Buffer.from('ab'), Buffer.from(''), Buffer.from('cde')], length: 5 };
  const big = Buffer.alloc(16, 0x2e);
  const joined = joinParts(r, big);
  t.equal(joined.toString(), 'abcde');
  t.equal(joined.buffer, big.buffer, 'written where it was asked');
  t.equal(big.toString(), 'abcde...........');
  const small = Buffer.alloc(4);
  const own = joinParts(r, small);
  t.equal(own.toString(), 'abcde');
  t.not(own.buffer, small.buffer, 'too small: a buffer of its own');
  t.same(small, Buffer.alloc(4), 'and the small one untouched');
});

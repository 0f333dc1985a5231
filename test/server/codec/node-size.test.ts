import t from 'tap';
import { keptNodeBytes, NODE_FIELD } from '../../../server/codec/node-size.js';
import { xdsRoot } from '../../../server/codec/protos.js';

const root = xdsRoot();
const sotw = root.lookupType('envoy.service.discovery.v3.DiscoveryRequest');
const delta = root.lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
const node = root.lookupType('envoy.config.core.v3.Node');

const metadata = (n: number) => ({ fields: { blob: { stringValue: 'x'.repeat(n) } } });

t.test('counts id, cluster, metadata and user agent of the node, not what the server does not keep', async (t) => {
  const kept = { id: 'node-1', cluster: 'c', metadata: metadata(1000), userAgentName: 'envoy', userAgentVersion: '1.30' };
  const keptBytes = node.encode(node.fromObject(kept)).finish().length;
  const withExtras = { ...kept, extensions: Array.from({ length: 50 }, (_, i) => ({ name: `envoy.ext.${i}`, category: 'envoy.filters' })), clientFeatures: ['envoy.lb.does_not_support_overprovisioning'] };
  const request = sotw.encode(sotw.fromObject({ versionInfo: 'v', node: withExtras, resourceNames: ['a'], typeUrl: 'x' })).finish();
  const size = keptNodeBytes(request, NODE_FIELD.sotw);
  // Each kept field's payload, without its tag and length bytes.
  t.ok(size > 1000 && size < keptBytes, `${size} bytes kept of a node encoded in ${keptBytes} (plus extensions)`);
  const deltaRequest = delta.encode(delta.fromObject({ node: withExtras, typeUrl: 'x' })).finish();
  t.equal(keptNodeBytes(deltaRequest, NODE_FIELD.delta), size, 'the same node in a delta request');
});

t.test('every occurrence of the node is counted; no node is 0; truncated bytes stop the count', async (t) => {
  const one = sotw.encode(sotw.fromObject({ node: { id: 'a', metadata: metadata(500) } })).finish();
  const twice = new Uint8Array([...one, ...one]);
  t.equal(keptNodeBytes(twice, NODE_FIELD.sotw), 2 * keptNodeBytes(one, NODE_FIELD.sotw), 'protobuf merges repeated messages, so both count');
  t.equal(keptNodeBytes(sotw.encode(sotw.fromObject({ typeUrl: 'x' })).finish(), NODE_FIELD.sotw), 0);
  t.equal(keptNodeBytes(one.subarray(0, 20), NODE_FIELD.sotw), 0, 'a node cut short is not read');
});

import type { PeerCertificate } from 'node:tls';
import t from 'tap';
import { XdsStatusError } from '../../server/errors.js';
import type { AuthorizeContext } from '../../server/stream-types.js';
import { createXdsProxyAuthorizer, identifyProxy } from '../../src/controller/proxy-auth.js';
import { createModelStore } from '../../src/model/store.js';
import { ns, pod } from '../model/fixtures/objects.js';

const UUID = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';

function storeWithProxy() {
  const store = createModelStore();
  store.apply([ns('shop'), pod('shop', 'buyer-1', { sa: 'buyer', uuid: UUID })].map((object) => ({ type: 'upsert' as const, object })));
  return store;
}

/** The fields identifyProxy reads from a TLS peer certificate. */
const peer = (cn: string) => ({ subject: { CN: cn } }) as unknown as PeerCertificate;

function refusal(fn: () => void): XdsStatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof XdsStatusError) return err;
    throw err;
  }
  throw new Error('not refused');
}

t.test('a malformed CN is E5001 with the code written once', async (t) => {
  const store = storeWithProxy();
  const id = identifyProxy(peer('not-a-uuid.sidecar.buyer.shop.cluster.local'), store, 'cluster.local');
  t.same(id, { ok: false, code: 'E5001', reason: 'bootstrap CN "not-a-uuid.sidecar.buyer.shop.cluster.local": "not-a-uuid" is not a UUID' });
  const authorize = createXdsProxyAuthorizer(store, 'cluster.local');
  const err = refusal(() => authorize({ peerCertificate: peer('x.cluster.local'), node: { id: 'x' } } as unknown as AuthorizeContext));
  t.equal(err.message, 'E5001: bootstrap CN "x.cluster.local": expected <uuid>.sidecar.<serviceaccount>.<namespace>.<trustDomain>');
});

t.test('an unknown proxy is E5002; a node id naming another proxy than the certificate is E5010', async (t) => {
  const store = storeWithProxy();
  const authorize = createXdsProxyAuthorizer(store, 'cluster.local');
  const stranger = `99999999-9999-4999-8999-999999999999.sidecar.buyer.shop`;
  t.equal(
    refusal(() => authorize({ peerCertificate: peer(`${stranger}.cluster.local`), node: { id: stranger } } as unknown as AuthorizeContext)).message,
    `E5002: no proxy ${stranger} in the mesh`,
  );
  const own = `${UUID}.sidecar.buyer.shop`;
  t.equal(
    refusal(() => authorize({ peerCertificate: peer(`${own}.cluster.local`), node: { id: stranger } } as unknown as AuthorizeContext)).message,
    `E5010: node id "${stranger}" does not match the client certificate (${own})`,
  );
  t.doesNotThrow(() => authorize({ peerCertificate: peer(`${own}.cluster.local`), node: { id: own } } as unknown as AuthorizeContext), 'its own node id is accepted');
});

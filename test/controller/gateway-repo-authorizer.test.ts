import type { PeerCertificate } from 'node:tls';
import t from 'tap';
import { createCommonNameAuthorizer } from '../../server/pipy-repo/authorize.js';
import { createGatewayRepoAuthorizer, gatewayCommonName } from '../../src/controller/gateway-repo-authorizer.js';

const peer = (cn: string) => ({ subject: { CN: cn } }) as unknown as PeerCertificate;
const authorize = createGatewayRepoAuthorizer({ trustDomain: 'cluster.local', sidecars: createCommonNameAuthorizer({ trustDomain: 'cluster.local' }) });

t.test('a namespace\'s gateway certificate reads that namespace\'s gateway codebases only', async (t) => {
  const cn = gatewayCommonName('shop', 'cluster.local');
  t.equal(cn, 'fsm-gateway.shop.cluster.local');
  t.equal(authorize(peer(cn), 'local/gw/shop'), true);
  t.equal(authorize(peer(cn), 'local/gws/shop/second'), true);
  t.match(authorize(peer(cn), 'local/gw/bank'), /may not read gateway codebase local\/gw\/bank/);
  t.match(authorize(peer(cn), 'local/gws/shopping/x'), Error);
  t.match(authorize(peer(cn), 'fsm-sidecar/u.sidecar.sa.shop'), Error, 'not a sidecar codebase');
});

t.test('sidecar certificates keep their rule and read no gateway codebase', async (t) => {
  t.equal(authorize(peer('u.sidecar.sa.shop.cluster.local'), 'fsm-sidecar/u.sidecar.sa.shop'), true);
  t.match(authorize(peer('u.sidecar.sa.shop.cluster.local'), 'local/gw/shop'), Error);
});

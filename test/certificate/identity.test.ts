import t from 'tap';
import { bootstrapCommonName, parseBootstrapCommonName, spiffeId, workloadCommonName } from '../../src/certificate/identity.js';
import { CertificateError } from '../../src/certificate/types.js';

const uuid = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

t.test('bootstrap CN round trip', async (t) => {
  const cn = bootstrapCommonName({ uuid, serviceAccount: 'bookbuyer', namespace: 'bookbuyer-ns' }, 'cluster.local');
  t.equal(cn, `${uuid}.sidecar.bookbuyer.bookbuyer-ns.cluster.local`);
  t.same(parseBootstrapCommonName(cn, 'cluster.local'), { uuid, serviceAccount: 'bookbuyer', namespace: 'bookbuyer-ns' });
  t.same(parseBootstrapCommonName(`${uuid}.sidecar.sa.ns.mesh.example.com`, 'mesh.example.com'), { uuid, serviceAccount: 'sa', namespace: 'ns' });
});

t.test('malformed bootstrap CNs are E5001 with a reason', async (t) => {
  const cases: [string, RegExp][] = [
    [`${uuid}.sidecar.sa.ns.other.domain`, /trust domain/],
    [`${uuid}.sidecar.sa.cluster.local`, /expected/],
    [`not-a-uuid.sidecar.sa.ns.cluster.local`, /not a UUID/],
    [`${uuid}.gateway.sa.ns.cluster.local`, /not "sidecar"/],
    [`${uuid}.sidecar.SA_bad.ns.cluster.local`, /service account/],
    [`${uuid}.sidecar.sa.x.ns.cluster.local`, /expected/],
  ];
  for (const [cn, why] of cases) {
    try {
      parseBootstrapCommonName(cn, 'cluster.local');
      t.fail(`accepted ${cn}`);
    } catch (err) {
      t.ok(err instanceof CertificateError, cn);
      t.equal((err as CertificateError).code, 'E5001');
      t.match((err as Error).message, why);
    }
  }
});

t.test('workload names', async (t) => {
  const ref = { serviceAccount: 'bookstore', namespace: 'shop' };
  t.equal(workloadCommonName(ref, 'cluster.local'), 'bookstore.shop.cluster.local');
  t.equal(spiffeId(ref, 'cluster.local'), 'spiffe://cluster.local/ns/shop/sa/bookstore');
});

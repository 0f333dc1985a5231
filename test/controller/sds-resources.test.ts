import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { decodeResource } from '../../server/codec/resource-codec.js';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../src/certificate/manager.js';
import { createSdsResources } from '../../src/controller/sds-resources.js';
import type { ProxyInfo } from '../../src/model/view.js';

t.test("a proxy's SDS Secrets: its certificate by identity and the trust bundle, encoded once per certificate", async (t) => {
  const ca = caFromRoot(await generateRoot());
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const cert = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  const sds = createSdsResources(m);
  const proxy = { identity: cert.identity } as ProxyInfo;
  const resources = sds(proxy);
  t.same(resources.map((r) => [r.typeUrl, r.name]), [
    [TypeUrl.Secret, 'bookstore.shop'],
    [TypeUrl.Secret, 'root-cert-for-mtls'],
  ]);
  const [certificate, validationContext] = resources.map((r) => decodeResource(r.typeUrl, r.bytes));
  t.same(certificate, {
    '@type': TypeUrl.Secret,
    name: 'bookstore.shop',
    tls_certificate: { certificate_chain: { inline_string: cert.certChainPem }, private_key: { inline_string: cert.privateKeyPem } },
  });
  t.same(validationContext, { '@type': TypeUrl.Secret, name: 'root-cert-for-mtls', validation_context: { trusted_ca: { inline_string: cert.issuingCaPem } } });
  t.equal(sds(proxy)[0], resources[0], 'the same certificate gives the same Resource objects');
  t.same(sds({ identity: 'nobody.shop' } as ProxyInfo), [], 'no certificate, no secrets');
});

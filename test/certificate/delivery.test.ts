import t from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { formatExpiration, SDS_SECRET_TYPE, toSdsSecrets } from '../../src/certificate/delivery.js';
import { certificateBlock } from '../../src/generate/sidecar/certificate.js';
import { createCertificateManager } from '../../src/certificate/manager.js';
import { typeForUrl } from '../../server/codec/protos.js';

t.test('Pipy Certificate block: FSM field names, UTC expiration, whole trust bundle', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const cert = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  const block = certificateBlock(cert);
  t.same(Object.keys(block).sort(), ['CertChain', 'CommonName', 'Expiration', 'IssuingCA', 'PrivateKey']);
  t.equal(block.CommonName, 'bookstore.shop.cluster.local');
  t.match(block.Expiration, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  t.equal(Date.parse(block.Expiration.replace(' ', 'T') + 'Z'), cert.notAfter.getTime());
  t.equal(block.IssuingCA, cert.issuingCaPem);
  t.equal(formatExpiration(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678))), '2030-01-02 03:04:05');
});

t.test('SDS secrets decode as envoy.extensions.transport_sockets.tls.v3.Secret', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const cert = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop' });
  const { certificate, validationContext } = toSdsSecrets(cert);
  t.equal(certificate['@type'], SDS_SECRET_TYPE);
  t.equal(certificate['name'], 'bookstore.shop');
  t.equal(validationContext['name'], 'root-cert-for-mtls');
  const Secret = typeForUrl(SDS_SECRET_TYPE);
  if (!Secret) throw new Error('Secret type not loaded');
  const { '@type': _t, ...certBody } = certificate;
  const decoded = Secret.toObject(Secret.decode(Secret.encode(Secret.fromObject(certBody)).finish())) as Record<string, any>;
  t.equal(decoded['tlsCertificate']?.certificateChain?.inlineString, cert.certChainPem);
  t.equal(decoded['tlsCertificate']?.privateKey?.inlineString, cert.privateKeyPem);
  const { '@type': _v, ...vcBody } = validationContext;
  const vc = Secret.toObject(Secret.decode(Secret.encode(Secret.fromObject(vcBody)).finish())) as Record<string, any>;
  t.equal(vc['validationContext']?.trustedCa?.inlineString, cert.issuingCaPem);
});

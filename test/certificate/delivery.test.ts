import t from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { formatExpiration } from '../../src/certificate/delivery.js';
import { certificateBlock } from '../../src/generate/sidecar/certificate.js';
import { createCertificateManager } from '../../src/certificate/manager.js';

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

import t from 'tap';
import { TypeUrl } from '../../../cache/types.js';
import { decodeResource } from '../../../server/codec/resource-codec.js';
import { sdsSecret, type SdsSecretOptions } from '../../../server/resources/sds-secret.js';

const json = (r: { typeUrl: string; bytes: Uint8Array }) => decodeResource(r.typeUrl, r.bytes) as Record<string, unknown>;
const CHAIN = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';

t.test('a certificate secret and a validation-context secret, PEM inline', async (t) => {
  const cert = sdsSecret({ name: 'bookstore.default', tlsCertificate: { certificateChain: CHAIN, privateKey: KEY } });
  t.equal(cert.typeUrl, TypeUrl.Secret);
  t.equal(cert.name, 'bookstore.default');
  t.same(json(cert), {
    '@type': TypeUrl.Secret,
    name: 'bookstore.default',
    tls_certificate: { certificate_chain: { inline_string: CHAIN }, private_key: { inline_string: KEY } },
  });
  const ca = sdsSecret({ name: 'root-cert', validationContext: { trustedCa: CHAIN, matchSubjectAltNames: [{ type: 'URI', exact: 'spiffe://cluster.local/ns/default/sa/bookstore' }] } });
  t.same(json(ca), {
    '@type': TypeUrl.Secret,
    name: 'root-cert',
    validation_context: {
      trusted_ca: { inline_string: CHAIN },
      match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/default/sa/bookstore' } }],
    },
  });
  t.same(json(sdsSecret({ name: 'root-cert', validationContext: { trustedCa: CHAIN } })).validation_context, { trusted_ca: { inline_string: CHAIN } });
});

t.test('a secret must hold exactly one of a certificate and a validation context', async (t) => {
  const both = { name: 's', tlsCertificate: { certificateChain: CHAIN, privateKey: KEY }, validationContext: { trustedCa: CHAIN } } as unknown as SdsSecretOptions;
  t.throws(() => sdsSecret(both), { name: 'ResourceError', message: 'invalid envoy.extensions.transport_sockets.tls.v3.Secret "s": type: give exactly one of tlsCertificate and validationContext' });
  t.throws(() => sdsSecret({ name: 's' } as SdsSecretOptions), /give exactly one of tlsCertificate and validationContext/);
  t.throws(() => sdsSecret({ name: '', tlsCertificate: { certificateChain: CHAIN, privateKey: KEY } }), /name: required/);
});

import type { Resource } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { encodeResource, ResourceError } from '../codec/resource-codec.js';

/** A certificate chain and its private key, PEM. */
export interface TlsCertificateOptions {
  readonly certificateChain: string;
  readonly privateKey: string;
}

export interface ValidationContextOptions {
  /** The trusted CA certificates, PEM (one or more). */
  readonly trustedCa: string;
  /** Accept a peer only if one of its subject alternative names equals one of these. */
  readonly matchSubjectAltNames?: readonly SubjectAltNameOptions[];
}

export interface SubjectAltNameOptions {
  readonly type: 'DNS' | 'URI' | 'EMAIL' | 'IP_ADDRESS';
  readonly exact: string;
}

/** An SDS Secret holds either a certificate with its key or a validation context. */
export type SdsSecretOptions =
  | { readonly name: string; readonly tlsCertificate: TlsCertificateOptions; readonly validationContext?: never }
  | { readonly name: string; readonly validationContext: ValidationContextOptions; readonly tlsCertificate?: never };

/**
 * An SDS Secret (`envoy.extensions.transport_sockets.tls.v3.Secret`) with the
 * PEM data inline. Throws ResourceError when both or neither of
 * `tlsCertificate` and `validationContext` are given.
 */
export function sdsSecret(options: SdsSecretOptions): Resource {
  if ((options.tlsCertificate === undefined) === (options.validationContext === undefined)) {
    throw new ResourceError(TypeUrl.Secret, [{ path: 'type', reason: 'give exactly one of tlsCertificate and validationContext' }], options.name);
  }
  if (options.tlsCertificate) {
    const { certificateChain, privateKey } = options.tlsCertificate;
    return encodeResource({
      '@type': TypeUrl.Secret,
      name: options.name,
      tls_certificate: { certificate_chain: { inline_string: certificateChain }, private_key: { inline_string: privateKey } },
    });
  }
  const { trustedCa, matchSubjectAltNames } = options.validationContext as ValidationContextOptions;
  return encodeResource({
    '@type': TypeUrl.Secret,
    name: options.name,
    validation_context: {
      trusted_ca: { inline_string: trustedCa },
      ...(matchSubjectAltNames?.length
        ? { match_typed_subject_alt_names: matchSubjectAltNames.map((m) => ({ san_type: m.type, matcher: { exact: m.exact } })) }
        : {}),
    },
  });
}

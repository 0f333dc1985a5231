/**
 * How a certificate reaches xDS proxies: Envoy SDS `Secret` resources in
 * proto3 JSON mapping (the Pipy sidecar's block is the generator's, see
 * src/generate/sidecar/certificate.ts).
 * Plain objects; encoding and versioning belong to the caller. The SDS
 * objects use proto3 JSON's canonical lowerCamelCase field names, which
 * protobufjs `fromObject` (keepCase: false, as server/codec loads) accepts.
 */
import type { WorkloadCertificate } from './types.js';

/** Go layout `2006-01-02 15:04:05` in UTC: how FSM writes a certificate's expiration. */
export function formatExpiration(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export const SDS_SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

export interface SdsSecretNames {
  /** Name of the tls_certificate Secret (default: the identity, e.g. "bookstore.shop"). */
  readonly certificate?: string;
  /** Name of the validation-context Secret (default: "root-cert-for-mtls"). */
  readonly validationContext?: string;
}

export const DEFAULT_VALIDATION_CONTEXT_NAME = 'root-cert-for-mtls';

/**
 * Two SDS Secrets: the workload's certificate and key, and a validation
 * context carrying the trust bundle (every root trusted now).
 */
export function toSdsSecrets(cert: WorkloadCertificate, names: SdsSecretNames = {}): { certificate: Record<string, unknown>; validationContext: Record<string, unknown> } {
  return {
    certificate: {
      '@type': SDS_SECRET_TYPE,
      name: names.certificate ?? cert.identity,
      tlsCertificate: {
        certificateChain: { inlineString: cert.certChainPem },
        privateKey: { inlineString: cert.privateKeyPem },
      },
    },
    validationContext: {
      '@type': SDS_SECRET_TYPE,
      name: names.validationContext ?? DEFAULT_VALIDATION_CONTEXT_NAME,
      validationContext: {
        trustedCa: { inlineString: cert.issuingCaPem },
      },
    },
  };
}

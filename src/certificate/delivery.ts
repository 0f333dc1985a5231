/**
 * How a certificate reaches proxies: the `Certificate` block of the Pipy
 * sidecar config, and Envoy SDS `Secret` resources in proto3 JSON mapping.
 * Plain objects; encoding and versioning belong to the caller. The SDS
 * objects use proto3 JSON's canonical lowerCamelCase field names, which
 * protobufjs `fromObject` (keepCase: false, as server/codec loads) accepts.
 */
import type { WorkloadCertificate } from './types.js';

/** FSM's sidecar `Certificate` block (see fsm-compat §2.3). */
export interface PipyCertificate {
  readonly CommonName: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC (Go layout "2006-01-02 15:04:05"). */
  readonly Expiration: string;
  readonly CertChain: string;
  readonly PrivateKey: string;
  /** The whole trust bundle: both roots during a root rotation (FSM sends only one). */
  readonly IssuingCA: string;
}

export function formatExpiration(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function toPipyCertificate(cert: WorkloadCertificate): PipyCertificate {
  return {
    CommonName: cert.commonName,
    Expiration: formatExpiration(cert.notAfter),
    CertChain: cert.certChainPem,
    PrivateKey: cert.privateKeyPem,
    IssuingCA: cert.issuingCaPem,
  };
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

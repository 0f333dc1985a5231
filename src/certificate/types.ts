/**
 * Types shared by the certificate module and its consumers (generators read
 * `WorkloadCertificate`; the controller adapts the manager). No I/O here.
 */

/** Key algorithm of a leaf or root key. ECDSA P-256 is the default. */
export type KeyType = { readonly kind: 'ecdsa-p256' } | { readonly kind: 'rsa'; readonly bits: number };

export const DEFAULT_KEY_TYPE: KeyType = { kind: 'ecdsa-p256' };

/** What a caller asks an issuer for. The issuer creates the key pair. */
export interface IssueRequest {
  readonly commonName: string;
  /** DNS subject alternative names (the CN is not added implicitly: list it). */
  readonly dnsNames: readonly string[];
  /** URI subject alternative names, e.g. the SPIFFE ID. */
  readonly uris: readonly string[];
  /** Requested lifetime; an issuer may shorten it (Vault max_ttl, CFSSL profile expiry). */
  readonly validityMs: number;
  readonly keyType: KeyType;
}

/** A signed certificate with its key as an issuer returns it. */
export interface IssuedCertificate {
  readonly commonName: string;
  /** Lower-case hex, no separators. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Leaf first, then any intermediates (PEM). */
  readonly certChainPem: string;
  /** PKCS#1 for RSA, SEC1 for ECDSA (PEM): what Pipy and Envoy both load. */
  readonly privateKeyPem: string;
  /** The CA (root or issuing intermediate) that signed the leaf. */
  readonly issuingCaPem: string;
  /** The DNS and URI SANs actually present in the certificate. */
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
}

/**
 * A source of signed certificates: the built-in CA, Vault, cert-manager or
 * CFSSL. `issue` may be called concurrently; implementations must not share
 * private keys between calls.
 */
export interface Issuer {
  /** Stable identity of the issuing root (e.g. its SKI); changes when the root changes. */
  readonly id: string;
  issue(request: IssueRequest): Promise<IssuedCertificate>;
  /** PEM of the roots that validate certificates from this issuer. */
  trustBundlePem(): string;
}

/**
 * The certificate a proxy presents, as generators consume it. Immutable: a
 * rotation produces a new object. `toJSON` redacts the private key so the
 * object can be logged or dumped safely.
 */
export interface WorkloadCertificate {
  /** Cache key: `<sa>.<ns>` for workloads, the full CN for bootstrap certs. */
  readonly identity: string;
  readonly commonName: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  /** The trust bundle: every root proxies must accept (two during a root rotation). */
  readonly issuingCaPem: string;
  readonly sans: readonly string[];
  readonly spiffeId: string;
  /** Id of the issuer that signed it (see Issuer.id). */
  readonly issuerId: string;
  toJSON(): Record<string, unknown>;
}

/** Errors of this module carry a stable code from FSM's documented table; see `CertificateErrorCode`. */
export class CertificateError extends Error {
  /** The message without the code, for callers that print the code themselves. */
  readonly detail: string;
  constructor(
    readonly code: CertificateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'CertificateError';
    this.detail = message;
  }
}

export const CertificateErrorCode = {
  /** A bootstrap certificate CN is not `<uuid>.sidecar.<sa>.<ns>.<trustDomain>` (ErrParsingXDSCertCN). */
  badBootstrapCommonName: 'E5001',
  /** An invalid validity duration, MeshConfig serviceCertValidityDuration (ErrCreatingCert). */
  badValidity: 'E4014',
  /** An issuer failed or returned something unusable (ErrIssuingCert). */
  issuerFailed: 'E4013',
  /** CA storage holds an unreadable or mismatched root (ErrInvalidCA). */
  badStoredCa: 'E4015',
  /** Invalid key type, e.g. RSA bits outside 2048..4096 (ErrGeneratingPrivateKey). */
  badKeyType: 'E4006',
  /** MeshRootCertificate resources describe no usable signing/validating pair (ErrCreatingRootCert). */
  badRootSet: 'E4009',
  /** The stored root is gone while certificates it issued remain; a new one is not created silently (ErrCreatingRootCert). */
  rootMissing: 'E4009',
} as const;
export type CertificateErrorCode = (typeof CertificateErrorCode)[keyof typeof CertificateErrorCode];

/** Time source and timer, injectable for tests. */
export interface Clock {
  now(): number;
  /** Schedules `fn` once after `ms`; the returned function cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => clearTimeout(handle);
  },
};

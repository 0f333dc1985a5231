/**
 * WorkloadCertificate values: construction (with a redacting toJSON) and the
 * storage form used to persist them across restarts.
 */
import type { SecretData } from './storage/secret-storage.js';
import type { IssuedCertificate, WorkloadCertificate } from './types.js';

export interface WorkloadCertificateFields {
  readonly identity: string;
  readonly issued: IssuedCertificate;
  readonly issuerId: string;
  readonly trustBundlePem: string;
  readonly spiffeId: string;
}

export function makeWorkloadCertificate(fields: WorkloadCertificateFields): WorkloadCertificate {
  const { issued } = fields;
  const cert: WorkloadCertificate = {
    identity: fields.identity,
    commonName: issued.commonName,
    serialNumber: issued.serialNumber,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    certChainPem: issued.certChainPem,
    privateKeyPem: issued.privateKeyPem,
    issuingCaPem: fields.trustBundlePem,
    sans: [...issued.dnsNames, ...issued.uris],
    spiffeId: fields.spiffeId,
    issuerId: fields.issuerId,
    toJSON() {
      return { ...metadataOf(cert), certChainPem: cert.certChainPem, issuingCaPem: cert.issuingCaPem, privateKeyPem: '[redacted]' };
    },
  };
  return Object.freeze(cert);
}

/** The same certificate with another trust bundle (phase changes of a root rotation). */
export function withTrustBundle(cert: WorkloadCertificate, trustBundlePem: string): WorkloadCertificate {
  return makeWorkloadCertificate({
    identity: cert.identity,
    issuerId: cert.issuerId,
    spiffeId: cert.spiffeId,
    trustBundlePem,
    issued: issuedOf(cert),
  });
}

function issuedOf(cert: WorkloadCertificate): IssuedCertificate {
  const uris = cert.sans.filter((s) => s.includes('://'));
  return {
    commonName: cert.commonName,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    certChainPem: cert.certChainPem,
    privateKeyPem: cert.privateKeyPem,
    issuingCaPem: cert.issuingCaPem,
    dnsNames: cert.sans.filter((s) => !s.includes('://')),
    uris,
  };
}

/** Storage form: the PEMs as files plus a small JSON of metadata. */
export function toSecretData(cert: WorkloadCertificate): SecretData {
  return {
    'tls.crt': cert.certChainPem,
    'tls.key': cert.privateKeyPem,
    'meta.json': JSON.stringify(metadataOf(cert)),
  };
}

/** The non-secret fields, as stored and as shown in debug output. */
function metadataOf(cert: WorkloadCertificate): Record<string, unknown> {
  return {
    identity: cert.identity,
    commonName: cert.commonName,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sans: cert.sans,
    spiffeId: cert.spiffeId,
    issuerId: cert.issuerId,
  };
}

/** Reads a stored certificate; undefined when the entry is incomplete or malformed. */
export function fromSecretData(data: SecretData, trustBundlePem: string): WorkloadCertificate | undefined {
  const chain = data['tls.crt'];
  const key = data['tls.key'];
  const metaText = data['meta.json'];
  if (!chain || !key || !metaText) return undefined;
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(metaText) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const str = (k: string) => (typeof meta[k] === 'string' ? (meta[k] as string) : undefined);
  const identity = str('identity');
  const commonName = str('commonName');
  const serialNumber = str('serialNumber');
  const notBefore = str('notBefore');
  const notAfter = str('notAfter');
  const spiffe = str('spiffeId');
  const issuerId = str('issuerId');
  const sans = Array.isArray(meta['sans']) ? (meta['sans'] as unknown[]).filter((s): s is string => typeof s === 'string') : undefined;
  if (!identity || !commonName || !serialNumber || !notBefore || !notAfter || spiffe === undefined || !issuerId || !sans) return undefined;
  return makeWorkloadCertificate({
    identity,
    issuerId,
    spiffeId: spiffe,
    trustBundlePem,
    issued: {
      commonName,
      serialNumber,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      certChainPem: chain,
      privateKeyPem: key,
      issuingCaPem: trustBundlePem,
      dnsNames: sans.filter((s) => !s.includes('://')),
      uris: sans.filter((s) => s.includes('://')),
    },
  });
}

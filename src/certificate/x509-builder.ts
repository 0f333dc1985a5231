/**
 * Assembles and signs X.509 v3 certificates (RFC 5280) from DER parts; see
 * der.ts for why the hot path does not go through a generic ASN.1 library.
 * Signatures come from node:crypto: ECDSA with SHA-256 (DER-encoded
 * Ecdsa-Sig-Value, node's default) or RSA PKCS#1 v1.5 with SHA-256.
 */
import { sign, type KeyObject } from 'node:crypto';
import * as der from './der.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

export interface NameAttributes {
  readonly commonName: string;
  readonly organization?: string;
}

/** A distinguished name: O then CN, each in its own RDN, as UTF8String. */
export function encodeName(name: NameAttributes): Buffer {
  const rdns: Buffer[] = [];
  if (name.organization) rdns.push(der.set(der.sequence(der.oid(OID.organization), der.utf8String(name.organization))));
  rdns.push(der.set(der.sequence(der.oid(OID.commonName), der.utf8String(name.commonName))));
  return der.sequence(...rdns);
}

function extension(oidText: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? der.sequence(der.oid(oidText), der.boolean(true), der.octetString(value))
    : der.sequence(der.oid(oidText), der.octetString(value));
}

/** Prebuilt extensions; each returns one DER `Extension`. */
export const Extensions = {
  basicConstraints(ca: boolean): Buffer {
    return extension(OID.basicConstraints, true, ca ? der.sequence(der.boolean(true)) : der.sequence());
  },
  /** digitalSignature + keyEncipherment (bits 0 and 2). */
  leafKeyUsage(): Buffer {
    return extension(OID.keyUsage, true, der.bitString(Buffer.from([0xa0]), 5));
  },
  /** keyCertSign + cRLSign (bits 5 and 6). */
  caKeyUsage(): Buffer {
    return extension(OID.keyUsage, true, der.bitString(Buffer.from([0x06]), 1));
  },
  serverAndClientAuth(): Buffer {
    return extension(OID.extKeyUsage, false, der.sequence(der.oid(OID.serverAuth), der.oid(OID.clientAuth)));
  },
  subjectKeyId(keyId: Uint8Array): Buffer {
    return extension(OID.subjectKeyId, false, der.octetString(keyId));
  },
  authorityKeyId(keyId: Uint8Array): Buffer {
    return extension(OID.authorityKeyId, false, der.sequence(der.implicitPrimitive(0, keyId)));
  },
  /** dNSName is [2] IA5String, uniformResourceIdentifier is [6] IA5String. */
  subjectAltName(dnsNames: readonly string[], uris: readonly string[]): Buffer {
    const names = [
      ...dnsNames.map((d) => der.implicitPrimitive(2, der.ia5(d))),
      ...uris.map((u) => der.implicitPrimitive(6, der.ia5(u))),
    ];
    return extension(OID.subjectAltName, false, der.sequence(...names));
  },
};

function signatureAlgorithm(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'ec') return der.sequence(der.oid(OID.ecdsaWithSha256));
  if (key.asymmetricKeyType === 'rsa') return der.sequence(der.oid(OID.sha256WithRsa), der.nullValue());
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

export interface CertificateFields {
  /** Serial magnitude (big-endian); must be positive and at most 20 bytes. */
  readonly serial: Uint8Array;
  /** DER Name of the issuer (exactly the issuer certificate's subject bytes). */
  readonly issuer: Uint8Array;
  /** DER Name of the subject. */
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo DER of the certified key. */
  readonly spki: Uint8Array;
  readonly extensions: readonly Uint8Array[];
  /** The issuer's private key. */
  readonly signingKey: KeyObject;
}

/** Builds and signs a certificate; returns its DER. */
export function buildCertificate(fields: CertificateFields): Buffer {
  const sigAlg = signatureAlgorithm(fields.signingKey);
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(fields.serial),
    sigAlg,
    Buffer.from(fields.issuer),
    der.sequence(der.time(fields.notBefore), der.time(fields.notAfter)),
    Buffer.from(fields.subject),
    Buffer.from(fields.spki),
    der.explicit(3, der.sequence(...fields.extensions)),
  );
  const signature = sign('sha256', tbs, fields.signingKey);
  return der.sequence(tbs, sigAlg, der.bitString(signature));
}

/** A 128-bit random serial with the top bit cleared, so the DER INTEGER is positive without padding. */
export function randomSerial(random: (size: number) => Buffer): Buffer {
  const bytes = random(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes;
}

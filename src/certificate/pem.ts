/**
 * PEM helpers and certificate inspection (through @peculiar/x509, with
 * node's WebCrypto as its provider; set once when this module loads).
 */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// node's webcrypto.Crypto is the WebCrypto API the library types as the DOM `Crypto`.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1] & object);

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Every PEM block of `text` (optionally of one label), normalised to end with a newline. */
export function pemBlocks(text: string, label?: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(BLOCK)) {
    if (label === undefined || m[1] === label) out.push(m[0].trim() + '\n');
  }
  return out;
}

/** Concatenates PEM bundles, dropping duplicate blocks while keeping first-seen order. */
export function joinPem(bundles: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const bundle of bundles) {
    for (const block of pemBlocks(bundle)) {
      const key = block.replace(/\s+/g, '');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(block);
    }
  }
  return out.join('');
}

export function derFromPem(pem: string): Buffer {
  const body = pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

export interface CertificateInfo {
  readonly commonName: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly dnsNames: string[];
  readonly uris: string[];
  /** DER of the subject Name, for use as the issuer of certificates it signs. */
  readonly subjectDer: Buffer;
  readonly isCa: boolean;
}

/** Reads the fields this module needs from the first certificate of a PEM chain. */
export function inspectCertificate(pem: string): CertificateInfo {
  const first = pemBlocks(pem, 'CERTIFICATE')[0];
  if (!first) throw new Error('no CERTIFICATE block in PEM');
  const cert = new x509.X509Certificate(first);
  const cn = cert.subjectName.getField('CN')[0] ?? '';
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames: string[] = [];
  const uris: string[] = [];
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') dnsNames.push(n.value);
    else if (n.type === 'url') uris.push(n.value);
  }
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  return {
    commonName: cn,
    serialNumber: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames,
    uris,
    subjectDer: Buffer.from(cert.subjectName.toArrayBuffer()),
    isCa: bc?.ca ?? false,
  };
}

/** Lower-case hex of a serial, without leading zeros (how this module names serials everywhere). */
export function serialHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/^0+(?=.)/, '');
}

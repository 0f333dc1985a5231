/**
 * Key pairs and PKCS#10 requests for issuers that sign CSRs (cert-manager,
 * CFSSL), built with @peculiar/x509 over node's WebCrypto, plus turning a
 * returned certificate into an IssuedCertificate.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { privateKeyToPem } from '../keys.js';
import { inspectCertificate, joinPem } from '../pem.js';
import type { IssuedCertificate, IssueRequest, KeyType } from '../types.js';
import { DEFAULT_ORGANIZATION } from '../builtin-ca.js';

function algorithmFor(keyType: KeyType): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return keyType.kind === 'rsa'
    ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: keyType.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    : { name: 'ECDSA', namedCurve: 'P-256' };
}

export interface CsrMaterial {
  readonly csrPem: string;
  readonly privateKeyPem: string;
}

/** A fresh key and a CSR with the request's CN (O = Flomesh Service Mesh) and SANs. */
export async function createCsr(request: IssueRequest): Promise<CsrMaterial> {
  const algorithm = algorithmFor(request.keyType);
  const pair = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  // node's webcrypto key types are the library's DOM CryptoKey at runtime.
  const keys = pair as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'];
  const names: x509.JsonGeneralName[] = [
    ...request.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...request.uris.map((value) => ({ type: 'url' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [request.commonName] }, { O: [DEFAULT_ORGANIZATION] }],
    keys,
    signingAlgorithm: request.keyType.kind === 'rsa' ? algorithm : { name: 'ECDSA', hash: 'SHA-256' },
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
  return { csrPem: csr.toString('pem') + '\n', privateKeyPem: privateKeyToPem(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })) };
}

/** Builds an IssuedCertificate from what an external CA returned, reading the fields from the certificate itself. */
export function issuedFromPem(certChainPem: string, privateKeyPem: string, issuingCaPem: string): IssuedCertificate {
  const info = inspectCertificate(certChainPem);
  return {
    commonName: info.commonName,
    serialNumber: info.serialNumber,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    certChainPem: joinPem([certChainPem]),
    privateKeyPem,
    issuingCaPem: joinPem([issuingCaPem]),
    dnsNames: info.dnsNames,
    uris: info.uris,
  };
}

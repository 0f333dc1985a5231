/**
 * CFSSL issuer: an external CA reached over its HTTP API. The key and CSR
 * are made here; `POST /api/v1/cfssl/sign {certificate_request, hosts,
 * profile?, label?}` returns `result.certificate`. The CA comes from
 * `POST /api/v1/cfssl/info`.
 *
 * Limits of CFSSL 1.2 (Debian's golang-cfssl): the lifetime is the signing
 * profile's `expiry` (the sign API takes no TTL), and URI SANs are not
 * copied into certificates, so leaves carry no SPIFFE ID.
 */
import { createHash } from 'node:crypto';
import { derFromPem, joinPem, pemBlocks } from '../pem.js';
import { CertificateError, CertificateErrorCode, type Issuer } from '../types.js';
import { createCsr, issuedFromPem } from './csr.js';
import { requestJson, stringAt } from './http-json.js';

export interface CfsslIssuerOptions {
  /** Base URL, e.g. `http://cfssl.example:8888`. */
  readonly url: string;
  /** Signing profile name from the CFSSL config; the default profile when absent. */
  readonly profile?: string;
  /** Signer label for multi-root CFSSL servers. */
  readonly label?: string;
  readonly timeoutMs?: number;
}

function resultOrThrow(res: unknown, what: string): unknown {
  const body = res as { success?: boolean; result?: unknown; errors?: { code?: number; message?: string }[] };
  if (body.success === false || body.result === undefined) {
    const why = (body.errors ?? []).map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ') || 'no result';
    throw new CertificateError(CertificateErrorCode.issuerFailed, `cfssl ${what}: ${why}`);
  }
  return body.result;
}

export async function createCfsslIssuer(options: CfsslIssuerOptions): Promise<Issuer> {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const selector = { ...(options.profile ? { profile: options.profile } : {}), ...(options.label ? { label: options.label } : {}) };
  const info = resultOrThrow(await requestJson({ method: 'POST', url: `${base}/api/v1/cfssl/info`, body: selector, timeoutMs, what: 'cfssl' }), 'info');
  const caPem = joinPem([stringAt(info, 'certificate') ?? '']);
  if (pemBlocks(caPem, 'CERTIFICATE').length === 0) throw new CertificateError(CertificateErrorCode.issuerFailed, 'cfssl info returned no CA certificate');
  const id = `cfssl:${createHash('sha256').update(derFromPem(caPem)).digest('hex').slice(0, 16)}`;

  return {
    id,
    trustBundlePem: () => caPem,
    async issue(request) {
      const { csrPem, privateKeyPem } = await createCsr(request);
      const res = await requestJson({
        method: 'POST',
        url: `${base}/api/v1/cfssl/sign`,
        body: { certificate_request: csrPem, hosts: [...request.dnsNames], ...selector },
        timeoutMs,
        what: 'cfssl',
      });
      const certificate = stringAt(resultOrThrow(res, 'sign'), 'certificate');
      if (!certificate) throw new CertificateError(CertificateErrorCode.issuerFailed, 'cfssl sign returned no certificate');
      return issuedFromPem(certificate, privateKeyPem, caPem);
    },
  };
}

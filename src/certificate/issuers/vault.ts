/**
 * Vault PKI issuer: `POST <address>/v1/<mount>/issue/<role>` with
 * `X-Vault-Token`. Unlike FSM it sends the SANs (`alt_names`, `uri_sans`)
 * and the exact TTL in seconds (FSM sends none and truncates to hours).
 * Vault generates the key; the key type is the role's (`key_type`,
 * `key_bits`), so the request's keyType is not sent.
 */
import { createHash } from 'node:crypto';
import { derFromPem, joinPem, pemBlocks } from '../pem.js';
import { CertificateError, CertificateErrorCode, type Issuer } from '../types.js';
import type { SecretStorage } from '../storage/secret-storage.js';
import { issuedFromPem } from './csr.js';
import { requestJson, stringAt } from './http-json.js';

export interface VaultIssuerOptions {
  /** `<proto>://<host>:<port>`, e.g. `https://vault.example:8200`. */
  readonly address: string;
  /** The PKI role; FSM's default is `flomesh`. */
  readonly role?: string;
  /** The PKI secrets engine mount path; `pki` by default. */
  readonly mount?: string;
  /** The token (`--vault-token`), or a function reading it (e.g. from a Secret) before each request. */
  readonly token: string | (() => Promise<string>);
  readonly timeoutMs?: number;
}

export const DEFAULT_VAULT_ROLE = 'flomesh';

/**
 * Creates the issuer after reading the CA (`GET /v1/<mount>/ca/pem`), which
 * is the trust bundle and determines the issuer id.
 */
export async function createVaultIssuer(options: VaultIssuerOptions): Promise<Issuer> {
  const base = options.address.replace(/\/+$/, '');
  const mount = options.mount ?? 'pki';
  const role = options.role ?? DEFAULT_VAULT_ROLE;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const token = async () => (typeof options.token === 'string' ? options.token : options.token());

  const caRes = await fetch(`${base}/v1/${mount}/ca/pem`, { headers: { 'X-Vault-Token': await token() }, signal: AbortSignal.timeout(timeoutMs) }).catch((err: unknown) => {
    throw new CertificateError(CertificateErrorCode.issuerFailed, `vault CA at ${base}: ${String(err)}`, { cause: err });
  });
  const caPem = joinPem([await caRes.text()]);
  if (!caRes.ok || pemBlocks(caPem, 'CERTIFICATE').length === 0) {
    throw new CertificateError(CertificateErrorCode.issuerFailed, `vault ${base}/v1/${mount}/ca/pem answered ${caRes.status} without a certificate`);
  }
  const id = `vault:${createHash('sha256').update(derFromPem(caPem)).digest('hex').slice(0, 16)}`;

  return {
    id,
    trustBundlePem: () => caPem,
    async issue(request) {
      const altNames = request.dnsNames.filter((n) => n !== request.commonName);
      const body = {
        common_name: request.commonName,
        ...(altNames.length ? { alt_names: altNames.join(',') } : {}),
        ...(request.uris.length ? { uri_sans: request.uris.join(',') } : {}),
        ttl: `${Math.max(1, Math.ceil(request.validityMs / 1000))}s`,
        format: 'pem',
      };
      const res = await requestJson({
        method: 'POST',
        url: `${base}/v1/${mount}/issue/${encodeURIComponent(role)}`,
        headers: { 'X-Vault-Token': await token() },
        body,
        timeoutMs,
        what: 'vault',
      });
      const certificate = stringAt(res, 'data', 'certificate');
      const privateKey = stringAt(res, 'data', 'private_key');
      const issuingCa = stringAt(res, 'data', 'issuing_ca') ?? caPem;
      if (!certificate || !privateKey) throw new CertificateError(CertificateErrorCode.issuerFailed, 'vault response lacks data.certificate or data.private_key');
      const chain = (res as { data?: { ca_chain?: unknown } }).data?.ca_chain;
      // The chain carries intermediates; the root stays out of the leaf chain.
      const intermediates = Array.isArray(chain) ? chain.filter((c): c is string => typeof c === 'string' && joinPem([c]) !== caPem) : [];
      return issuedFromPem(joinPem([certificate, ...intermediates]), privateKey, issuingCa);
    },
  };
}

/**
 * A token source reading `key` of the stored secret `name` on each call
 * (`--vault-token-secret-name/-key`), so a rotated token is picked up.
 */
export function vaultTokenFromSecret(storage: Pick<SecretStorage, 'get'>, name: string, key: string): () => Promise<string> {
  return async () => {
    const token = (await storage.get(name))?.[key]?.trim();
    if (!token) throw new CertificateError(CertificateErrorCode.issuerFailed, `vault token secret ${name} has no key ${key}`);
    return token;
  };
}

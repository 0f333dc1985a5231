/**
 * The proxy certificate as the generator consumes it, and the provider
 * interface the controller adapts the certificate module to. The generator
 * only formats: issuing and rotation live in src/certificate/.
 */
import type { ProxyInfo } from '../../model/view.js';
import type { Certificate } from './types.js';

export interface PipyCertificate {
  /** `<sa>.<ns>.<trustDomain>` */
  readonly commonName: string;
  readonly expiration: Date;
  readonly certChainPem: string;
  readonly privateKeyPem: string;
  readonly issuingCaPem: string;
}

/**
 * Supplies the current certificate of a proxy. Must be synchronous and
 * side-effect free from the generator's point of view (return what is
 * issued; `undefined` when nothing is issued yet). A new certificate is a
 * model change for the config set: call `recompute` for the proxies of that
 * identity. Return the same object while the certificate is unchanged: the
 * generator serialises a certificate once per object.
 */
export interface PipyCertificateSource {
  certificateFor(proxy: ProxyInfo): PipyCertificate | undefined;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Go layout `2006-01-02 15:04:05`, in UTC. */
export function formatExpiration(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function certificateBlock(cert: PipyCertificate): Certificate {
  return {
    CommonName: cert.commonName,
    Expiration: formatExpiration(cert.expiration),
    CertChain: cert.certChainPem,
    PrivateKey: cert.privateKeyPem,
    IssuingCA: cert.issuingCaPem,
  };
}

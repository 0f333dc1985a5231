/**
 * The proxy certificate as the sidecar generator consumes it, and the
 * provider interface the controller adapts the certificate module to. The
 * generator only formats: issuing and rotation live in src/certificate/.
 */
import { formatExpiration } from '../../certificate/delivery.js';
import type { WorkloadCertificate } from '../../certificate/types.js';
import type { ProxyInfo } from '../../model/view.js';
import type { Certificate } from './types.js';

/**
 * Supplies the current certificate of a proxy. Must be synchronous and
 * side-effect free from the generator's point of view (return what is
 * issued; `undefined` when nothing is issued yet). A new certificate is a
 * reason to regenerate the proxies of that identity. Return the same object
 * while the certificate is unchanged: the generator serialises a certificate
 * once per object.
 */
export interface CertificateSource {
  certificateFor(proxy: ProxyInfo): WorkloadCertificate | undefined;
}

/** FSM's sidecar `Certificate` block (fsm-compat §2.3); `IssuingCA` is the whole trust bundle during a root rotation. */
export function certificateBlock(cert: WorkloadCertificate): Certificate {
  return {
    CommonName: cert.commonName,
    Expiration: formatExpiration(cert.notAfter),
    CertChain: cert.certChainPem,
    PrivateKey: cert.privateKeyPem,
    IssuingCA: cert.issuingCaPem,
  };
}

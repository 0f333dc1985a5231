import type { Resource } from '../../cache/resource.js';
import { sdsSecret } from '../../server/resources/sds-secret.js';
import { DEFAULT_VALIDATION_CONTEXT_NAME } from '../certificate/delivery.js';
import type { CertificateManager } from '../certificate/manager.js';
import type { WorkloadCertificate } from '../certificate/types.js';
import type { ProxyInfo } from '../model/view.js';

/**
 * SDS `Secret` resources of a proxy for xDS clients: its workload certificate
 * (named by identity, `<sa>.<ns>`) and the validation context with the trust
 * bundle (`root-cert-for-mtls`). Encoded once per certificate object and shared
 * by every proxy of the identity.
 */
export function createSdsResources(manager: Pick<CertificateManager, 'getWorkload'>): (proxy: ProxyInfo) => readonly Resource[] {
  const encoded = new WeakMap<WorkloadCertificate, readonly Resource[]>();
  return (proxy: ProxyInfo) => {
    const cert = manager.getWorkload(proxy.identity);
    if (!cert) return [];
    let resources = encoded.get(cert);
    if (!resources) {
      resources = [
        sdsSecret({ name: cert.identity, tlsCertificate: { certificateChain: cert.certChainPem, privateKey: cert.privateKeyPem } }),
        sdsSecret({ name: DEFAULT_VALIDATION_CONTEXT_NAME, validationContext: { trustedCa: cert.issuingCaPem } }),
      ];
      encoded.set(cert, resources);
    }
    return resources;
  };
}

import type { CertificateManager } from '../certificate/manager.js';
import type { ControllerOptions } from './options.js';

/** The controller's own serving certificate for `--repo-tls` / `--xds-tls`, and the CA bundle client certificates must chain to. */
export interface ServingTls {
  keyPem: string;
  certPem: string;
  caPem: string;
}

/**
 * Issues the controller's serving certificate from the mesh CA: identity
 * `fsm-controller.<fsm-namespace>` with the Service's host names and
 * `localhost` as DNS SANs (proxies reach the controller through its Service).
 */
export async function createServingTls(manager: CertificateManager, options: Pick<ControllerOptions, 'fsmNamespace'>): Promise<ServingTls> {
  const ns = options.fsmNamespace;
  const cert = await manager.issueWorkload({
    namespace: ns,
    serviceAccount: 'fsm-controller',
    hostnames: ['fsm-controller', `fsm-controller.${ns}`, `fsm-controller.${ns}.svc`, `fsm-controller.${ns}.svc.cluster.local`, 'localhost'],
  });
  return { keyPem: cert.privateKeyPem, certPem: cert.certChainPem, caPem: manager.trustBundlePem() };
}

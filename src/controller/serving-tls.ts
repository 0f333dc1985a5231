import { workloadIdentity } from '../certificate/identity.js';
import type { CertificateManager } from '../certificate/manager.js';
import type { WorkloadCertificate } from '../certificate/types.js';
import { silentLogger, type Logger } from '../shared/logger.js';

/**
 * Key material for the controller's TLS listeners (`--repo-tls`,
 * `--xds-tls`): the serving key and chain, and the CA bundle client
 * certificates must chain to. Shaped as both servers' `setTls` take it.
 */
export interface ServingTlsMaterial {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
  /** Of the serving leaf, for logs. */
  readonly serialNumber: string;
  readonly notAfter: Date;
}

/**
 * The controller's own serving certificate, kept current: it is a workload
 * certificate of the manager (identity `fsm-controller.<fsm-namespace>`), so
 * the manager renews it before expiry and re-issues it or swaps its trust
 * bundle when the mesh root rotates. Each such change is pushed to the
 * listeners, which hand it to the servers without restarting them.
 */
export interface ServingTls {
  /** The material in force now. */
  current(): ServingTlsMaterial;
  /**
   * Calls `listener` after each renewal, re-issue (root rotation, host
   * names) or trust-bundle change, with the new material. Listeners run
   * synchronously in registration order; a throw is logged and the other
   * listeners still run. Returns the unsubscribe function.
   */
  onChange(listener: (material: ServingTlsMaterial) => void): () => void;
  /**
   * Call once the mesh's certificate validity is known (MeshConfig read). A
   * certificate issued at start, before that, that outlives the mesh's
   * validity is re-issued now; one loaded from storage keeps its schedule.
   * Resolves when done (listeners have the new material).
   */
  validityKnown(): Promise<void>;
  /** Stops following the manager; `current()` keeps the last material. Idempotent. */
  close(): void;
}

/**
 * Issues the controller's serving certificate from the mesh CA, with the
 * Service's host names and `localhost` as DNS SANs (proxies reach the
 * controller through its Service), and follows its rotations.
 */
export async function createServingTls(
  manager: CertificateManager,
  options: { fsmNamespace: string; logger?: Logger },
): Promise<ServingTls> {
  const logger = options.logger ?? silentLogger;
  const ns = options.fsmNamespace;
  const ref = { namespace: ns, serviceAccount: 'fsm-controller' };
  const identity = workloadIdentity(ref);
  // The manager's bundle, not the one copied into the certificate at issuance:
  // after a root change the bundle is what client certificates may chain to.
  const materialOf = (cert: WorkloadCertificate): ServingTlsMaterial => ({
    key: cert.privateKeyPem,
    cert: cert.certChainPem,
    ca: manager.trustBundlePem(),
    serialNumber: cert.serialNumber,
    notAfter: cert.notAfter,
  });
  const issuedBefore = manager.issuedCount;
  const first = await manager.issueWorkload({
    ...ref,
    // The Service's names, the last one under the mesh's trust domain (as in-cluster DNS names it).
    hostnames: ['fsm-controller', `fsm-controller.${ns}`, `fsm-controller.${ns}.svc`, `fsm-controller.${ns}.svc.${manager.trustDomain}`, 'localhost'],
  });
  // Issued now rather than loaded from storage: with the validity in force before any MeshConfig.
  const issuedAtStart = manager.issuedCount > issuedBefore;
  let material = materialOf(first);
  const listeners = new Set<(m: ServingTlsMaterial) => void>();
  const unsubscribe = manager.onRotated((event) => {
    if (event.identity !== identity) return;
    material = materialOf(event.current);
    logger.info('serving certificate updated', { reason: event.reason, serial: material.serialNumber, notAfter: material.notAfter.toISOString() });
    for (const l of listeners) {
      try {
        l(material);
      } catch (err) {
        logger.error('applying the serving certificate failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  });
  return {
    current: () => material,
    async validityKnown() {
      const validity = manager.validityMs();
      // Only a certificate that outlives what the mesh allows matters (with slack for rounding
      // and issuers that backdate); a shorter one just renews early.
      const outlives = first.notAfter.getTime() > Date.now() + validity * 1.05 + 2_000;
      if (!issuedAtStart || material.serialNumber !== first.serialNumber || !outlives) return;
      logger.info('re-issuing the serving certificate with the mesh validity', { validityMs: validity, notAfter: first.notAfter.toISOString() });
      await manager.renewWorkload(identity);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unsubscribe();
      listeners.clear();
    },
  };
}

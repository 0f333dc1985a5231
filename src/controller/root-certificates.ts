import { createRootRotationController, tresorIssuerFactory, type MeshRootCertificate } from '../certificate/mesh-root-certificate.js';
import type { ModelView } from '../model/view.js';
import type { Logger } from '../shared/logger.js';
import type { ControllerCertificates } from './certificates.js';

/**
 * Drives root rotation from the MeshRootCertificate objects in the
 * control-plane namespace: each change applies the whole set (FSM's states:
 * distribute a bundle with both roots, issue from the new root, drop the old
 * one). Without any MeshRootCertificate the built-in CA (`fsm-ca-bundle`)
 * signs alone. Roots of the tresor provider are entries of the controller's
 * storage named by `spec.provider.tresor.ca.secretRef.name`.
 */
export interface RootCertificates {
  /** Applies the current set; an unusable set is logged and the previous issuers stay. */
  apply(): Promise<void>;
}

export function createRootCertificates(opts: {
  view: ModelView;
  certificates: ControllerCertificates;
  fsmNamespace: string;
  logger: Logger;
}): RootCertificates {
  const rotation = createRootRotationController({
    manager: opts.certificates.manager,
    issuerFor: tresorIssuerFactory(() => opts.certificates.storage),
    logger: opts.logger,
  });
  let applied = '';
  return {
    async apply() {
      const mrcs = opts.view.list('MeshRootCertificate', opts.fsmNamespace) as unknown as MeshRootCertificate[];
      const key = JSON.stringify(mrcs.map((m) => [m.metadata.name, m.spec, m.status?.state]));
      if (mrcs.length === 0 || key === applied) return;
      applied = key;
      try {
        await rotation.apply(mrcs);
      } catch (err) {
        opts.logger.error('MeshRootCertificates not applied; the previous roots stay', { error: err instanceof Error ? err.message : String(err) });
      }
    },
  };
}

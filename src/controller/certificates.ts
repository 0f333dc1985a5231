import { homedir } from 'node:os';
import { join } from 'node:path';
import { createBuiltinCa } from '../certificate/builtin-ca.js';
import { createCertificateManager, type CertificateManager } from '../certificate/manager.js';
import { createFileSecretStorage } from '../certificate/storage/file-storage.js';
import type { SecretStorage } from '../certificate/storage/secret-storage.js';
import type { WorkloadCertificate } from '../certificate/types.js';
import type { CertificateSource } from '../generate/sidecar/certificate.js';
import { serviceHostNames } from '../generate/sidecar/mesh-services.js';
import { readMeshSettings } from '../generate/sidecar/mesh-settings.js';
import type { ModelView, ProxyInfo } from '../model/view.js';
import type { Logger } from '../shared/logger.js';

/**
 * The controller's view of certificates: the built-in CA and the workload
 * certificate manager, adapted to what the generators read (a synchronous
 * CertificateSource). Issuance is asynchronous, so the controller calls
 * `ensure` for the proxies it is about to regenerate; the generator then only
 * reads what is issued.
 */
export interface ControllerCertificates {
  readonly manager: CertificateManager;
  /** Where roots and certificates are kept; MeshRootCertificate secretRefs name entries of it. */
  readonly storage: SecretStorage;
  readonly source: CertificateSource;
  /** Issues (or re-uses) the certificates of these proxies' identities. Failures are logged; those proxies generate without a certificate. */
  ensure(proxies: readonly ProxyInfo[]): Promise<void>;
  /** Host names of the services selecting any pod of the identity (certificate SANs). */
  hostnamesFor(namespace: string, serviceAccount: string): string[];
  /** Resolves once nothing more is written to the storage. */
  close(): Promise<void>;
}

/** Where state lives without Kubernetes and without --state-dir. */
export function defaultStateDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'fsm-controller');
}

export interface ControllerCertificatesOptions {
  view: ModelView;
  trustDomain: string;
  /** Storage for the CA root and issued certificates (state dir, or the fsm-ca-bundle Secret with Kubernetes). */
  storage?: SecretStorage;
  stateDir?: string;
  logger: Logger;
}

export async function createControllerCertificates(opts: ControllerCertificatesOptions): Promise<ControllerCertificates> {
  const storage = opts.storage ?? createFileSecretStorage({ dir: opts.stateDir ?? defaultStateDir() });
  const ca = await createBuiltinCa({ storage });
  const { view, logger } = opts;
  // The MeshConfig schema only admits valid durations, so the typed accessor never throws.
  const validity = (): number => view.meshConfig.serviceCertValidityMs();
  const manager = createCertificateManager({ issuer: ca, trustDomain: opts.trustDomain, validity, store: storage, logger });
  await manager.start();

  const mtlsDisabled = () => view.meshConfig.spec.sidecar.sidecarDisabledMTLS;
  /**
   * DNS SANs of an identity's certificate: the host names of every port of
   * every service selecting one of its pods, as FSM computes them for the
   * sidecar certificate (GetHostnamesForService with the caller in the
   * service's namespace), following serviceAccessNames and the trust domain.
   * The manager leaves out names with `:port`: FSM puts them in the
   * certificate, but a DNS SAN cannot hold a port (RFC 5280 preferred name
   * syntax).
   */
  const hostnamesFor = (namespace: string, serviceAccount: string): string[] => {
    const settings = readMeshSettings(view.meshConfig);
    const names = new Set<string>();
    for (const pod of view.podsByServiceAccount(namespace, serviceAccount)) {
      for (const service of view.servicesForPod(pod)) {
        for (const sp of service.spec?.ports ?? []) {
          const p = { name: service.metadata.name, namespace: service.metadata.namespace ?? namespace, port: sp.port, service };
          for (const h of serviceHostNames(settings, opts.trustDomain, p, true)) names.add(h);
        }
      }
    }
    return [...names].sort();
  };
  return {
    manager,
    storage,
    hostnamesFor,
    source: {
      certificateFor(proxy) {
        if (mtlsDisabled()) return undefined;
        return manager.getWorkload(proxy.identity);
      },
    },
    async ensure(proxies) {
      if (mtlsDisabled()) return;
      const identities = new Map<string, ProxyInfo>();
      for (const p of proxies) identities.set(p.identity, p);
      await Promise.all(
        [...identities.values()].map(async (p) => {
          try {
            await manager.issueWorkload({ namespace: p.namespace, serviceAccount: p.serviceAccount, hostnames: hostnamesFor(p.namespace, p.serviceAccount) });
          } catch (err) {
            logger.error('certificate issuance failed', { identity: p.identity, error: err instanceof Error ? err.message : String(err) });
          }
        }),
      );
    },
    close: () => manager.close(),
  };
}

import { homedir } from 'node:os';
import { join } from 'node:path';
import { createBuiltinCa } from '../certificate/builtin-ca.js';
import { createCertificateManager, type CertificateManager } from '../certificate/manager.js';
import { createFileSecretStorage } from '../certificate/storage/file-storage.js';
import type { SecretStorage } from '../certificate/storage/secret-storage.js';
import type { WorkloadCertificate } from '../certificate/types.js';
import type { CertificateSource } from '../generate/sidecar/certificate.js';
import type { ModelView, ProxyInfo } from '../model/view.js';
import { parseGoDuration } from '../shared/duration.js';
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
  close(): void;
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
  let lastValidityText = '';
  let validityMs = 24 * 3_600_000;
  const validity = (): number => {
    const text = String(view.meshConfig.spec.certificate?.serviceCertValidityDuration ?? '24h');
    if (text !== lastValidityText) {
      lastValidityText = text;
      try {
        validityMs = parseGoDuration(text);
      } catch (err) {
        logger.error('invalid certificate.serviceCertValidityDuration; keeping the previous validity', { value: text, error: String(err), validityMs });
      }
    }
    return validityMs;
  };
  const manager = createCertificateManager({ issuer: ca, trustDomain: opts.trustDomain, validity, store: storage, logger });
  await manager.start();

  const mtlsDisabled = () => view.meshConfig.spec.sidecar?.sidecarDisabledMTLS === true;
  const hostnamesFor = (namespace: string, serviceAccount: string): string[] => {
    const names = new Set<string>();
    for (const pod of view.podsByServiceAccount(namespace, serviceAccount)) {
      for (const svc of view.servicesForPod(pod)) {
        const n = svc.metadata.name;
        const ns = svc.metadata.namespace ?? namespace;
        for (const h of [n, `${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster`, `${n}.${ns}.svc.cluster.local`]) names.add(h);
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

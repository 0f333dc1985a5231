/**
 * The bootstrap Secret `sidecar-bootstrap-config-<uuid>` a sidecar mounts at
 * /etc/pipy: its client certificate for the repo (CN
 * `<uuid>.sidecar.<sa>.<ns>.<trust-domain>`), key, the mesh trust bundle,
 * and `bootstrap.yaml` (FSM's bootstrap Builder as JSON: repo host and port,
 * node id, TLS settings, original health probes). Keys and labels are FSM's.
 */
import type { WorkloadCertificate } from '../certificate/types.js';
import { APP_NAME, InjectorLabels } from './annotations.js';
import { BootstrapFiles } from './containers.js';
import type { OriginalProbes } from '../model/health-probes.js';

export const BOOTSTRAP_SECRET_PREFIX = 'sidecar-bootstrap-config-';
/** FSM's bootstrap certificates are `Internal` (10 years); they are only good while their pod exists. */
export const BOOTSTRAP_CERT_VALIDITY_MS = 87_600 * 3_600_000;

export const bootstrapSecretName = (uuid: string) => `${BOOTSTRAP_SECRET_PREFIX}${uuid}`;

export interface BootstrapConfig {
  readonly repoHost: string;
  readonly repoPort: number;
  readonly tls: { min?: string | undefined; max?: string | undefined; cipherSuites?: readonly string[] | undefined; ecdhCurves?: readonly string[] | undefined };
  readonly originals: OriginalProbes;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function bootstrapSecret(o: {
  uuid: string;
  namespace: string;
  meshName: string;
  version: string;
  certificate: WorkloadCertificate;
  trustBundlePem: string;
  config: BootstrapConfig;
}): Record<string, unknown> {
  const builder = {
    RepoHost: o.config.repoHost,
    RepoPort: o.config.repoPort,
    NodeID: o.certificate.commonName,
    TLSMinProtocolVersion: o.config.tls.min ?? '',
    TLSMaxProtocolVersion: o.config.tls.max ?? '',
    CipherSuites: o.config.tls.cipherSuites ?? null,
    ECDHCurves: o.config.tls.ecdhCurves ?? null,
    OriginalHealthProbes: o.config.originals,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: bootstrapSecretName(o.uuid),
      namespace: o.namespace,
      labels: {
        [InjectorLabels.AppName]: APP_NAME,
        [InjectorLabels.AppInstance]: o.meshName,
        [InjectorLabels.AppVersion]: o.version,
        [InjectorLabels.ProxyUUID]: o.uuid,
      },
    },
    data: {
      [BootstrapFiles.config]: b64(JSON.stringify(builder)),
      [BootstrapFiles.ca]: b64(o.trustBundlePem),
      [BootstrapFiles.cert]: b64(o.certificate.certChainPem),
      [BootstrapFiles.key]: b64(o.certificate.privateKeyPem),
    },
  };
}

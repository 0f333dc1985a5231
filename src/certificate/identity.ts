/**
 * Names derived from a workload identity: the cache key `<sa>.<ns>`, the CN
 * `<sa>.<ns>.<trustDomain>`, the SPIFFE ID, and the bootstrap CN
 * `<uuid>.sidecar.<sa>.<ns>.<trustDomain>` a proxy presents to the control plane.
 */
import { CertificateError, CertificateErrorCode } from './types.js';

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

export interface WorkloadRef {
  readonly serviceAccount: string;
  readonly namespace: string;
}

/** The cache key FSM uses (`proxy.Identity`). */
export function workloadIdentity(ref: WorkloadRef): string {
  return `${ref.serviceAccount}.${ref.namespace}`;
}

export function workloadCommonName(ref: WorkloadRef, trustDomain: string): string {
  return `${ref.serviceAccount}.${ref.namespace}.${trustDomain}`;
}

export function spiffeId(ref: WorkloadRef, trustDomain: string): string {
  return `spiffe://${trustDomain}/ns/${ref.namespace}/sa/${ref.serviceAccount}`;
}

export interface BootstrapRef extends WorkloadRef {
  /** The proxy's UUID (the sidecar's `proxy-uuid`). */
  readonly uuid: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function bootstrapCommonName(ref: BootstrapRef, trustDomain: string): string {
  return `${ref.uuid}.sidecar.${ref.serviceAccount}.${ref.namespace}.${trustDomain}`;
}

/**
 * Parses `<uuid>.sidecar.<sa>.<ns>.<trustDomain>`. Throws CertificateError
 * E5001 naming what is wrong (so the server can refuse the stream with a reason).
 */
export function parseBootstrapCommonName(cn: string, trustDomain: string): BootstrapRef {
  const fail = (why: string): never => {
    throw new CertificateError(CertificateErrorCode.badBootstrapCommonName, `bootstrap CN "${cn}": ${why}`);
  };
  const suffix = `.${trustDomain}`;
  if (!cn.endsWith(suffix)) fail(`not in trust domain ${trustDomain}`);
  const parts = cn.slice(0, -suffix.length).split('.');
  if (parts.length !== 4) fail('expected <uuid>.sidecar.<serviceaccount>.<namespace>.<trustDomain>');
  const [uuid, kind, serviceAccount, namespace] = parts as [string, string, string, string];
  if (!UUID.test(uuid)) fail(`"${uuid}" is not a UUID`);
  if (kind !== 'sidecar') fail(`proxy kind "${kind}" is not "sidecar"`);
  if (!LABEL.test(serviceAccount)) fail(`bad service account "${serviceAccount}"`);
  if (!LABEL.test(namespace)) fail(`bad namespace "${namespace}"`);
  return { uuid: uuid.toLowerCase(), serviceAccount, namespace };
}

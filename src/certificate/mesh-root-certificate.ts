/**
 * Root rotation driven by MeshRootCertificate resources
 * (`config.flomesh.io/v1alpha3`, `status.state` as FSM's constants). A
 * rotation from root A to root B without downtime:
 *
 *   1. B `validatingRollout` (A `active`): sign with A, trust A+B.
 *   2. B `issuingRollout`    (A `active`): sign with B, trust A+B; every leaf is re-issued.
 *   3. B `active`, A `inactive`: sign with B, trust B only.
 *
 * Rollback runs the same steps backwards (`issuingRollback`,
 * `validatingRollback`, `inactive`). Unlike FSM (whose update handler is a
 * TODO), every change of the resource set is applied: the controller is
 * handed the whole current set each time.
 */
import { silentLogger, type Logger } from '../shared/logger.js';
import { createBuiltinCa } from './builtin-ca.js';
import type { CertificateManager } from './manager.js';
import type { SecretStorage } from './storage/secret-storage.js';
import { CertificateError, CertificateErrorCode, type Issuer } from './types.js';

export const MRC_API_VERSION = 'config.flomesh.io/v1alpha3';
export const MRC_KIND = 'MeshRootCertificate';

export const MrcState = {
  active: 'active',
  issuingRollout: 'issuingRollout',
  validatingRollout: 'validatingRollout',
  issuingRollback: 'issuingRollback',
  validatingRollback: 'validatingRollback',
  inactive: 'inactive',
  error: 'error',
} as const;
export type MrcState = (typeof MrcState)[keyof typeof MrcState];

export interface SecretRef {
  readonly name: string;
  readonly namespace?: string;
}

/** The fields of FSM's MeshRootCertificate this module reads. */
export interface MeshRootCertificate {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string };
  readonly spec: {
    readonly trustDomain?: string;
    readonly provider?: {
      readonly tresor?: { readonly ca: { readonly secretRef: SecretRef } };
      readonly vault?: Readonly<Record<string, unknown>>;
      readonly certManager?: Readonly<Record<string, unknown>>;
    };
  };
  readonly status?: { readonly state?: string };
}

const LIVE: ReadonlySet<string> = new Set([
  MrcState.active,
  MrcState.issuingRollout,
  MrcState.validatingRollout,
  MrcState.issuingRollback,
  MrcState.validatingRollback,
]);

export interface IssuerSelection {
  /** Name of the MRC whose issuer signs new leaves. */
  readonly signing: string;
  /** Name of the MRC whose root is trusted besides the signer's (the signer itself when alone). */
  readonly validating: string;
}

/**
 * Which MRC signs and which validates, from the states. Throws E4009 when
 * the set is unusable (none live, more than two, or no unique signer).
 */
export function selectIssuers(mrcs: readonly MeshRootCertificate[]): IssuerSelection {
  const live = mrcs.filter((m) => LIVE.has(m.status?.state ?? ''));
  const fail = (why: string): never => {
    throw new CertificateError(CertificateErrorCode.badRootSet, why);
  };
  if (live.length === 0) fail('no MeshRootCertificate is in a live state');
  if (live.length > 2) fail(`${live.length} MeshRootCertificates are live; a rotation involves two`);
  const byState = (s: string) => live.filter((m) => m.status?.state === s);
  const issuing = byState(MrcState.issuingRollout);
  const active = byState(MrcState.active);
  const signer = issuing.length === 1 ? issuing[0] : issuing.length === 0 && active.length === 1 ? active[0] : undefined;
  if (!signer) fail(`no unique signer among ${live.map((m) => `${m.metadata.name}=${m.status?.state}`).join(', ')}`);
  const other = live.find((m) => m !== signer);
  return { signing: (signer as MeshRootCertificate).metadata.name, validating: (other ?? (signer as MeshRootCertificate)).metadata.name };
}

export interface RootRotationControllerOptions {
  readonly manager: CertificateManager;
  /** Builds (or loads) the issuer an MRC describes; called once per MRC name and spec. */
  readonly issuerFor: (mrc: MeshRootCertificate) => Promise<Issuer>;
  readonly logger?: Logger;
}

/** Applies MRC sets to a certificate manager. */
export interface RootRotationController {
  /**
   * Applies the current set of MRCs: selects signer and validator and
   * switches the manager; resolves when every cached certificate follows.
   * Throws E4009 (leaving the manager unchanged) for an unusable set.
   * Calls are serialised.
   */
  apply(mrcs: readonly MeshRootCertificate[]): Promise<IssuerSelection>;
}

export function createRootRotationController(options: RootRotationControllerOptions): RootRotationController {
  const logger = options.logger ?? silentLogger;
  const issuers = new Map<string, { specKey: string; issuer: Promise<Issuer> }>();
  let queue: Promise<unknown> = Promise.resolve();

  const issuerOf = (mrc: MeshRootCertificate): Promise<Issuer> => {
    const specKey = JSON.stringify(mrc.spec);
    const hit = issuers.get(mrc.metadata.name);
    if (hit && hit.specKey === specKey) return hit.issuer;
    const issuer = options.issuerFor(mrc);
    issuers.set(mrc.metadata.name, { specKey, issuer });
    issuer.catch(() => issuers.delete(mrc.metadata.name));
    return issuer;
  };

  const applyNow = async (mrcs: readonly MeshRootCertificate[]) => {
    const selection = selectIssuers(mrcs);
    const byName = new Map(mrcs.map((m) => [m.metadata.name, m]));
    const signing = await issuerOf(byName.get(selection.signing) as MeshRootCertificate);
    const validating = await issuerOf(byName.get(selection.validating) as MeshRootCertificate);
    for (const name of issuers.keys()) if (!byName.has(name)) issuers.delete(name);
    await options.manager.setIssuers({ signing, validating });
    logger.info('mesh root certificates applied', { signing: selection.signing, validating: selection.validating });
    return selection;
  };

  return {
    apply(mrcs) {
      const run = queue.then(() => applyNow(mrcs));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

/**
 * An `issuerFor` for MRCs with the tresor (built-in CA) provider: the root
 * lives in `spec.provider.tresor.ca.secretRef`, read or created through the
 * storage of that namespace (`storageFor`; the MRC's namespace when the ref
 * names none). Other providers are refused with E4009; the controller
 * composes factories for them.
 */
export function tresorIssuerFactory(storageFor: (namespace: string) => SecretStorage): (mrc: MeshRootCertificate) => Promise<Issuer> {
  return async (mrc) => {
    const ref = mrc.spec.provider?.tresor?.ca.secretRef;
    if (!ref) throw new CertificateError(CertificateErrorCode.badRootSet, `MeshRootCertificate ${mrc.metadata.name} has no tresor provider`);
    const namespace = ref.namespace ?? mrc.metadata.namespace ?? '';
    return createBuiltinCa({ storage: storageFor(namespace), secretName: ref.name });
  };
}

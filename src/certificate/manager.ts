/**
 * The certificate manager: issues one workload certificate per identity
 * (`<sa>.<ns>`), caches and persists it, rotates it before expiry with a
 * single timer, and follows root rotations (signing/validating issuers).
 */
import { tryParseGoDuration } from '../shared/duration.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import {
  bootstrapCommonName,
  DEFAULT_TRUST_DOMAIN,
  spiffeId,
  workloadCommonName,
  workloadIdentity,
  type BootstrapRef,
  type WorkloadRef,
} from './identity.js';
import { validateKeyType } from './keys.js';
import { joinPem } from './pem.js';
import { createRotationScheduler } from './rotation-scheduler.js';
import type { SecretStorage } from './storage/secret-storage.js';
import {
  CertificateError,
  CertificateErrorCode,
  DEFAULT_KEY_TYPE,
  systemClock,
  type Clock,
  type Issuer,
  type KeyType,
  type WorkloadCertificate,
} from './types.js';
import { fromSecretData, makeWorkloadCertificate, toSecretData, withTrustBundle } from './workload-certificate.js';

/** FSM's default `serviceCertValidityDuration`. */
export const DEFAULT_VALIDITY_MS = 24 * 3_600_000;
/** Shorter validities are refused: they would only make proxies churn. */
export const MIN_VALIDITY_MS = 1_000;
const STORE_PREFIX = 'fsm-workload-cert-';

export type RotationReason = 'expiring' | 'root-rotation' | 'trust-bundle' | 'hostnames-changed' | 'validity-changed';

export interface RotationEvent {
  readonly identity: string;
  readonly previous: WorkloadCertificate;
  readonly current: WorkloadCertificate;
  readonly reason: RotationReason;
}

export interface IssuanceEvent {
  readonly identity: string;
  readonly kind: 'workload' | 'bootstrap';
  readonly issuerId: string;
  /** Time the issuer took, for the `fsm_cert_issued_time` histogram. */
  readonly durationMs: number;
}

export interface WorkloadRequest extends WorkloadRef {
  /** Host names of the services selecting the pod; entries containing ':' (host:port) are ignored, as FSM does. */
  readonly hostnames?: readonly string[];
}

export interface CertificateManagerOptions {
  /** The initial signing and validating issuer. */
  readonly issuer: Issuer;
  /** `--trust-domain`; `cluster.local` by default. */
  readonly trustDomain?: string;
  /** Validity source (e.g. MeshConfig); consulted at each issuance unless setValidity() set a value. 24h by default. */
  readonly validity?: () => number;
  readonly keyType?: KeyType;
  /** Rotate when this fraction of the lifetime is left (default 1/3). */
  readonly rotateAtRemainingFraction?: number;
  /** Up to this fraction of the lifetime is subtracted at random from the rotation time (default 0.05), spreading renewals. */
  readonly jitterFraction?: number;
  readonly clock?: Clock;
  /** Uniform [0,1) source for jitter. */
  readonly random?: () => number;
  /** Persistence for issued workload certificates (reused after a restart). */
  readonly store?: SecretStorage;
  readonly logger?: Logger;
}

/**
 * Contract: every method may be called concurrently. Certificates are
 * immutable values; a change of certificate or trust bundle for an identity
 * is announced exactly once through onRotated. close() stops the timer; the
 * manager must not be used afterwards.
 */
export interface CertificateManager {
  readonly trustDomain: string;
  /** Loads persisted certificates (keeping the valid ones) and arms rotation. Call once before issuing. */
  start(): Promise<void>;
  /** The identity's certificate: cached when still valid, from the current signer and covering the host names; else issued (one issuance per identity at a time). */
  issueWorkload(request: WorkloadRequest): Promise<WorkloadCertificate>;
  getWorkload(identity: string): WorkloadCertificate | undefined;
  listWorkloads(): WorkloadCertificate[];
  /** Forgets (and un-persists) an identity's certificate, e.g. when its last proxy left. */
  releaseWorkload(identity: string): Promise<void>;
  /**
   * Re-issues an identity's certificate now with the current validity (one
   * issued before the validity was known); announced through onRotated with
   * reason `validity-changed`. Resolves undefined for an unknown identity or a
   * failed issuance (logged and retried on the rotation timer).
   */
  renewWorkload(identity: string): Promise<WorkloadCertificate | undefined>;
  /** A fresh certificate with CN `<uuid>.sidecar.<sa>.<ns>.<trustDomain>` for the proxy's control-plane connection (not cached). */
  issueBootstrap(proxy: BootstrapRef): Promise<WorkloadCertificate>;
  /** Roots proxies must trust now (signing and validating issuers' roots). */
  trustBundlePem(): string;
  /**
   * Switches issuers (root rotation phases). Resolves when every cached
   * certificate follows: re-issued by a new signer, or carrying the new
   * bundle. A re-issue that fails is logged and retried on the rotation timer.
   */
  setIssuers(issuers: { signing: Issuer; validating: Issuer }): Promise<void>;
  /** Sets the validity from a Go duration string; returns the error (and keeps the previous value) when invalid. */
  setValidity(text: string): CertificateError | undefined;
  validityMs(): number;
  onRotated(listener: (event: RotationEvent) => void): () => void;
  onIssued(listener: (event: IssuanceEvent) => void): () => void;
  /** Certificates issued since start (`fsm_cert_issued_count`). */
  readonly issuedCount: number;
  /** Seconds until the earliest cached certificate expires; undefined when none. */
  secondsUntilEarliestExpiry(): number | undefined;
  /** Stops rotations; resolves once issuances and storage writes in flight have finished. Idempotent. */
  close(): Promise<void>;
}

interface Entry {
  cert: WorkloadCertificate;
  ref: WorkloadRef;
  hostnames: string[];
}

export function createCertificateManager(options: CertificateManagerOptions): CertificateManager {
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const keyType = validateKeyType(options.keyType ?? DEFAULT_KEY_TYPE);
  const fraction = options.rotateAtRemainingFraction ?? 1 / 3;
  const jitterFraction = options.jitterFraction ?? 0.05;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError('rotateAtRemainingFraction must be in (0, 1)');
  if (!(jitterFraction >= 0 && jitterFraction < 1 - fraction)) throw new RangeError('jitterFraction must be in [0, 1 - rotateAtRemainingFraction)');
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const store = options.store;

  let signing = options.issuer;
  let validating = options.issuer;
  let bundle = joinPem([signing.trustBundlePem()]);
  let validityOverride: number | undefined;
  let issuedCount = 0;
  let closed = false;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<WorkloadCertificate>>();
  /** Bumped by releaseWorkload, so an issuance that was in flight does not resurrect the entry. */
  const releases = new Map<string, number>();
  const rotatedListeners = new Set<(e: RotationEvent) => void>();
  const issuedListeners = new Set<(e: IssuanceEvent) => void>();

  const validityMs = () => Math.max(MIN_VALIDITY_MS, validityOverride ?? options.validity?.() ?? DEFAULT_VALIDITY_MS);

  const scheduler = createRotationScheduler({
    clock,
    onDue: (identities) => {
      for (const identity of identities) void rotate(identity, 'expiring');
    },
  });

  const emit = <E>(listeners: Set<(e: E) => void>, event: E) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.error('certificate listener threw', { error: String(err) });
      }
    }
  };

  /**
   * Arms the rotation of a certificate. Just issued: at the configured point
   * minus jitter, but never sooner than validity/3 from now. Loaded from
   * storage: at the configured point, or now when that has passed.
   */
  const scheduleRotation = (cert: WorkloadCertificate, issuance: { requestedValidityMs: number } | 'loaded') => {
    const now = clock.now();
    const lifetime = cert.notAfter.getTime() - cert.notBefore.getTime();
    const dueAt = cert.notAfter.getTime() - lifetime * fraction - random() * jitterFraction * lifetime;
    if (issuance === 'loaded') {
      scheduler.schedule(cert.identity, Math.max(dueAt, now));
      return;
    }
    const floor = now + issuance.requestedValidityMs / 3;
    if (dueAt <= now) {
      // The issuer handed out less lifetime than asked (backdated notBefore,
      // a capped TTL): FSM would re-issue in a loop here. Rotate at most once
      // per validity/3 instead, even if the certificate expires first.
      logger.warn('certificate rotation point already passed at issuance; rotating at most once per validity/3', {
        identity: cert.identity,
        notAfter: cert.notAfter.toISOString(),
        validityMs: issuance.requestedValidityMs,
      });
    }
    scheduler.schedule(cert.identity, Math.max(dueAt, floor));
  };

  /** Writes in progress: close() waits for them, so nothing touches the storage after it resolves. */
  const writes = new Set<Promise<void>>();
  const persist = async (cert: WorkloadCertificate) => {
    if (!store) return;
    const write = store.put(STORE_PREFIX + cert.identity, toSecretData(cert)).catch((err: unknown) => {
      logger.error('persisting a workload certificate failed', { identity: cert.identity, error: String(err) });
    });
    writes.add(write);
    try {
      await write;
    } finally {
      writes.delete(write);
    }
  };

  const issueFrom = async (identity: string, ref: WorkloadRef, hostnames: readonly string[], kind: 'workload' | 'bootstrap', cn: string) => {
    const issuer = signing;
    const validity = validityMs();
    const spiffe = spiffeId(ref, trustDomain);
    const started = performance.now();
    let issued;
    try {
      issued = await issuer.issue({ commonName: cn, dnsNames: [cn, ...hostnames.filter((h) => h !== cn)], uris: [spiffe], validityMs: validity, keyType });
    } catch (err) {
      throw new CertificateError(CertificateErrorCode.issuerFailed, `issuing ${cn} from ${issuer.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const durationMs = performance.now() - started;
    issuedCount++;
    emit(issuedListeners, { identity, kind, issuerId: issuer.id, durationMs });
    const cert = makeWorkloadCertificate({ identity, issued, issuerId: issuer.id, trustBundlePem: bundle, spiffeId: spiffe });
    return { cert, validity };
  };

  /** Single flight per identity: `work` runs only when nothing else is in flight for it. */
  const exclusive = async (identity: string, work: () => Promise<WorkloadCertificate>): Promise<WorkloadCertificate> => {
    for (;;) {
      const running = inflight.get(identity);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const p = work().finally(() => inflight.delete(identity));
    inflight.set(identity, p);
    return p;
  };

  const issueEntry = async (identity: string, ref: WorkloadRef, hostnames: string[], reason: RotationReason | undefined) => {
    const previous = entries.get(identity)?.cert;
    const generation = releases.get(identity) ?? 0;
    const { cert, validity } = await issueFrom(identity, ref, hostnames, 'workload', workloadCommonName(ref, trustDomain));
    // Released (or closed) while issuing: hand the certificate to the caller but do not cache it.
    if (closed || (releases.get(identity) ?? 0) !== generation) return cert;
    entries.set(identity, { cert, ref, hostnames });
    scheduleRotation(cert, { requestedValidityMs: validity });
    await persist(cert);
    if (previous && reason) emit(rotatedListeners, { identity, previous, current: cert, reason });
    return cert;
  };

  const normaliseHostnames = (hostnames: readonly string[] | undefined) =>
    [...new Set((hostnames ?? []).filter((h) => h.length > 0 && !h.includes(':')))].sort();

  const rotate = (identity: string, reason: RotationReason): Promise<WorkloadCertificate | undefined> =>
    exclusive(identity, async () => {
      const entry = entries.get(identity);
      if (!entry) throw new Error('released');
      try {
        return await issueEntry(identity, entry.ref, entry.hostnames, reason);
      } catch (err) {
        const retryIn = Math.min(60_000, Math.max(1_000, validityMs() / 10));
        logger.error('certificate rotation failed; retrying later', { identity, retryInMs: retryIn, error: String(err) });
        if (!closed && entries.has(identity)) scheduler.schedule(identity, clock.now() + retryIn);
        throw err;
      }
    }).catch(() => undefined);

  return {
    trustDomain,
    async start() {
      if (!store) return;
      for (const name of await store.list(STORE_PREFIX)) {
        const data = await store.get(name);
        const cert = data && fromSecretData(data, bundle);
        const now = clock.now();
        if (!cert || cert.notAfter.getTime() <= now || (cert.issuerId !== signing.id && cert.issuerId !== validating.id)) {
          await store.delete(name);
          continue;
        }
        // The SPIFFE ID names namespace and service account unambiguously (a service account name may contain dots).
        const ref = refFromSpiffeId(cert.spiffeId);
        if (!ref) {
          await store.delete(name);
          continue;
        }
        const hostnames = cert.sans.filter((s) => !s.includes('://') && s !== cert.commonName);
        entries.set(cert.identity, { cert, ref, hostnames });
        if (cert.issuerId !== signing.id) scheduler.schedule(cert.identity, now);
        else scheduleRotation(cert, 'loaded');
      }
      logger.info('loaded persisted workload certificates', { count: entries.size, storage: store.description });
    },

    async issueWorkload(request) {
      const identity = workloadIdentity(request);
      const wanted = normaliseHostnames(request.hostnames);
      for (;;) {
        const running = inflight.get(identity);
        if (running) {
          await running.catch(() => undefined);
          continue;
        }
        const entry = entries.get(identity);
        const now = clock.now();
        if (entry && entry.cert.issuerId === signing.id && entry.cert.notAfter.getTime() > now && wanted.every((h) => entry.cert.sans.includes(h))) {
          return entry.cert;
        }
        const hostnames = normaliseHostnames([...(entry?.hostnames ?? []), ...wanted]);
        const reason: RotationReason | undefined = !entry
          ? undefined
          : entry.cert.issuerId !== signing.id
            ? 'root-rotation'
            : entry.cert.notAfter.getTime() <= now
              ? 'expiring'
              : 'hostnames-changed';
        return exclusive(identity, () => issueEntry(identity, request, hostnames, reason));
      }
    },

    getWorkload: (identity) => entries.get(identity)?.cert,
    listWorkloads: () => [...entries.values()].map((e) => e.cert),

    renewWorkload(identity) {
      return entries.has(identity) ? rotate(identity, 'validity-changed') : Promise.resolve(undefined);
    },

    async releaseWorkload(identity) {
      releases.set(identity, (releases.get(identity) ?? 0) + 1);
      entries.delete(identity);
      scheduler.cancel(identity);
      if (store) await store.delete(STORE_PREFIX + identity);
    },

    async issueBootstrap(proxy) {
      const cn = bootstrapCommonName(proxy, trustDomain);
      const { cert } = await issueFrom(cn, proxy, [], 'bootstrap', cn);
      return cert;
    },

    trustBundlePem: () => bundle,

    async setIssuers(next) {
      signing = next.signing;
      validating = next.validating;
      bundle = joinPem([signing.trustBundlePem(), validating.trustBundlePem()]);
      const work: Promise<unknown>[] = [];
      for (const [identity, entry] of entries) {
        if (entry.cert.issuerId !== signing.id) {
          work.push(rotate(identity, 'root-rotation'));
        } else if (entry.cert.issuingCaPem !== bundle) {
          const previous = entry.cert;
          const current = withTrustBundle(previous, bundle);
          entry.cert = current;
          emit(rotatedListeners, { identity, previous, current, reason: 'trust-bundle' });
        }
      }
      await Promise.all(work);
    },

    setValidity(text) {
      const ms = tryParseGoDuration(text);
      if (ms === undefined || ms < MIN_VALIDITY_MS) {
        const error = new CertificateError(
          CertificateErrorCode.badValidity,
          ms === undefined ? `invalid duration "${text}"` : `validity "${text}" is below the 1s minimum`,
        );
        logger.warn('ignoring certificate validity', { value: text, keptMs: validityMs(), error: error.message });
        return error;
      }
      validityOverride = ms;
      return undefined;
    },
    validityMs,

    onRotated(listener) {
      rotatedListeners.add(listener);
      return () => rotatedListeners.delete(listener);
    },
    onIssued(listener) {
      issuedListeners.add(listener);
      return () => issuedListeners.delete(listener);
    },
    get issuedCount() {
      return issuedCount;
    },
    secondsUntilEarliestExpiry() {
      let min: number | undefined;
      for (const e of entries.values()) {
        const t = e.cert.notAfter.getTime();
        if (min === undefined || t < min) min = t;
      }
      return min === undefined ? undefined : (min - clock.now()) / 1000;
    },
    async close() {
      closed = true;
      scheduler.close();
      await Promise.allSettled([...inflight.values(), ...writes]);
      // An issuance that was in flight may have started its write while we waited.
      await Promise.allSettled([...writes]);
    },
  };
}

function refFromSpiffeId(id: string): WorkloadRef | undefined {
  const m = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(id);
  return m ? { namespace: m[1] as string, serviceAccount: m[2] as string } : undefined;
}

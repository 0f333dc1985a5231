/**
 * Writes the statuses of a GatewayStatusReport through a `patchStatus`
 * function the controller provides (on Kubernetes: read the object's status
 * subresource, apply `merge`, write it back with the resourceVersion read,
 * retrying on conflict; only the leader may call it). The writer decides
 * what to write and how to merge it:
 *
 * - only objects whose desired status changed since the last successful
 *   write are patched (a failed write is retried on the next sync);
 * - a condition keeps the lastTransitionTime of the live object while its
 *   status stays the same (the Kubernetes convention), else gets `now`;
 * - a route's `status.parents` entries of other controllers are kept; ours
 *   (controllerName flomesh.io/gateway-controller) are replaced.
 */
import { GATEWAY_CONTROLLER_NAME, type Condition } from '../../../model/gateway-types.js';
import { kindInfo } from '../../../model/kinds/kind-list.js';
import { canonicalJson } from '../../../shared/canonical-json.js';
import type { GatewayStatusReport, ObjectStatus } from './gateway-status.js';

/** Where a status goes: group/version, plural, namespace and name of the object. */
export interface StatusTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name: string;
}

type Status = Record<string, unknown>;

/**
 * Reads the live status of `target`, passes it to `merge` (undefined when the
 * object has none) and writes the result to the status subresource.
 * Rejects when the object is gone or the write fails.
 */
export type PatchStatus = (target: StatusTarget, merge: (current: Status | undefined) => Status) => Promise<void>;

export interface GatewayStatusWriterOptions {
  readonly patchStatus: PatchStatus;
  /** The time stamped on changed conditions (RFC 3339, second precision like metav1.Time). Default: now. */
  readonly now?: () => Date;
}

export interface SyncResult {
  readonly written: number;
  readonly failed: readonly { readonly target: StatusTarget; readonly error: string }[];
}

export interface GatewayStatusWriter {
  /** Writes every status that changed since its last successful write. Never rejects; failures are returned. */
  sync(report: GatewayStatusReport): Promise<SyncResult>;
}

type TimedCondition = Condition & { lastTransitionTime?: string };

function withTimes(desired: readonly Condition[] | undefined, current: readonly TimedCondition[] | undefined, now: string): TimedCondition[] {
  return (desired ?? []).map((c) => {
    const live = current?.find((x) => x.type === c.type);
    return { ...c, lastTransitionTime: live && live.status === c.status && live.lastTransitionTime ? live.lastTransitionTime : now };
  });
}

type Parent = { parentRef: unknown; controllerName: string; conditions: TimedCondition[] };
type Listener = { name: string; conditions: TimedCondition[] };

/** The status to write for `desired` over the live `current`. */
function mergeStatus(desired: ObjectStatus, current: Status | undefined, now: string): Status {
  const d = desired.status;
  if (Array.isArray(d['parents'])) {
    const live = (Array.isArray(current?.['parents']) ? (current?.['parents'] as Parent[]) : []);
    const ours = (d['parents'] as Parent[]).map((p) => {
      const match = live.find((l) => l.controllerName === GATEWAY_CONTROLLER_NAME && canonicalJson(l.parentRef) === canonicalJson(p.parentRef));
      return { ...p, conditions: withTimes(p.conditions, match?.conditions, now) };
    });
    return { ...(current ?? {}), parents: [...live.filter((l) => l.controllerName !== GATEWAY_CONTROLLER_NAME), ...ours] };
  }
  const out: Status = { ...(current ?? {}), conditions: withTimes(d['conditions'] as Condition[], current?.['conditions'] as TimedCondition[] | undefined, now) };
  if (Array.isArray(d['listeners'])) {
    const live = (current?.['listeners'] as Listener[] | undefined) ?? [];
    out['listeners'] = (d['listeners'] as Listener[]).map((l) => ({ ...l, conditions: withTimes(l.conditions, live.find((x) => x.name === l.name)?.conditions, now) }));
  }
  return out;
}

function statusTarget(s: ObjectStatus): StatusTarget {
  return { apiVersion: s.apiVersion, kind: s.kind, plural: kindInfo(s.modelKind)?.plural ?? `${s.kind.toLowerCase()}s`, ...(s.namespace ? { namespace: s.namespace } : {}), name: s.name };
}

export function createGatewayStatusWriter(options: GatewayStatusWriterOptions): GatewayStatusWriter {
  const now = options.now ?? (() => new Date());
  /** Target key → canonical desired status last written successfully. */
  const written = new Map<string, string>();

  return {
    async sync(report) {
      const all = [...report.classes, ...report.gateways, ...report.routes, ...report.policies];
      const stamp = `${now().toISOString().slice(0, 19)}Z`;
      const seen = new Set<string>();
      const failed: { target: StatusTarget; error: string }[] = [];
      let count = 0;
      for (const s of all) {
        const target = statusTarget(s);
        const key = `${target.apiVersion}/${target.kind}/${target.namespace ?? ''}/${target.name}`;
        seen.add(key);
        const desired = canonicalJson(s.status);
        if (written.get(key) === desired) continue;
        try {
          await options.patchStatus(target, (current) => mergeStatus(s, current, stamp));
          written.set(key, desired);
          count++;
        } catch (err) {
          failed.push({ target, error: err instanceof Error ? err.message : String(err) });
        }
      }
      // Objects we no longer report (deleted, or no longer ours): forget them, so they are written again if they return.
      for (const key of [...written.keys()]) if (!seen.has(key)) written.delete(key);
      return { written: count, failed };
    },
  };
}

/**
 * Unhealthy conditions as problem lines (for `fsm-controller validate`, the
 * debug endpoint and logs): one per condition that is not healthy, naming
 * the object, the parent (a route's Gateway and listener) or listener (a
 * Gateway's), the condition and its reason.
 */
import type { Condition, ParentReference } from '../../../model/gateway-types.js';
import { isHealthy } from '../conditions.js';
import type { GatewayStatusReport, ObjectStatus } from './gateway-status.js';

export interface StatusProblem {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** `Gateway ns/name listener x` for a route's parent, `listener x` for a Gateway's listener. */
  readonly parent?: string;
  readonly condition: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

const describe = (s: ObjectStatus): string => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;

function parentName(ref: ParentReference): string {
  return `${ref.kind ?? 'Gateway'} ${ref.namespace ?? ''}/${ref.name}${ref.sectionName !== undefined ? ` listener ${ref.sectionName}` : ''}${ref.port !== undefined ? ` port ${ref.port}` : ''}`;
}

function push(out: StatusProblem[], s: ObjectStatus, conditions: readonly Condition[] | undefined, parent?: string): void {
  for (const c of conditions ?? []) {
    if (isHealthy(c)) continue;
    out.push({ object: describe(s), ...(parent ? { parent } : {}), condition: c.type, status: c.status, reason: c.reason, message: c.message });
  }
}

export function statusProblems(report: GatewayStatusReport): StatusProblem[] {
  const out: StatusProblem[] = [];
  for (const s of [...report.classes, ...report.gateways, ...report.policies]) {
    push(out, s, s.status['conditions'] as Condition[] | undefined);
    for (const l of (s.status['listeners'] as { name: string; conditions: Condition[] }[] | undefined) ?? []) push(out, s, l.conditions, `listener ${l.name}`);
  }
  for (const s of report.routes) {
    for (const p of s.status['parents'] as { parentRef: ParentReference; conditions: Condition[] }[]) push(out, s, p.conditions, parentName(p.parentRef));
  }
  for (const s of report.orphans) {
    out.push({ object: describe(s), condition: 'Accepted', status: 'False', reason: 'NoParentRefs', message: 'the route names no parent, so it attaches to no Gateway' });
  }
  return out;
}

/** `HTTPRoute apps/shop: Gateway gw/edge listener http: ResolvedRefs=False RefNotPermitted: <message>` */
export function formatStatusProblem(p: StatusProblem): string {
  return `${p.object}: ${p.parent ? `${p.parent}: ` : ''}${p.condition}=${p.status} ${p.reason}: ${p.message}`;
}

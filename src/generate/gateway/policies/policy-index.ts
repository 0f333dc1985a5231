/**
 * FSM gateway policies by target, with their acceptance, as FSM 1.3 decides
 * it (pkg/gateway/policy, the policy status processors):
 *
 * - the target (a Gateway of ours, an HTTPRoute or GRPCRoute, a Service) must
 *   exist: otherwise Accepted=False TargetNotFound;
 * - a target in another namespace needs a ReferenceGrant from the policy's
 *   kind: otherwise Accepted=False NoAccessToTarget;
 * - policies of one kind on one target take effect oldest first
 *   (creationTimestamp, then namespace/name): an entry (a port, a hostname, a
 *   match) that an older policy already defines is shadowed, and a policy
 *   whose every entry is shadowed is Accepted=False Conflicted.
 *
 * Only accepted policies are returned to the config builders, oldest first.
 */
import { GATEWAY_API_GROUP, GatewayKinds, PolicyKinds, type Condition, type Gateway, type PolicyTargetRef } from '../../../model/gateway-types.js';
import type { MeshObject } from '../../../model/types.js';
import { condition } from '../conditions.js';
import { byAge, type GatewayContext } from '../context.js';
import { isOwnedGateway } from '../gateways.js';
import { grantsKey, policyTargetKey } from '../keys.js';
import { normalizeGrpcMatch, normalizeHttpMatch, matchKey } from '../matches.js';
import { referenceAllowed } from '../references.js';

export type PolicyObject = MeshObject<Record<string, unknown> & { targetRef: PolicyTargetRef }>;

export interface PolicyState {
  readonly policy: PolicyObject;
  /** The target key (keys.ts grammar) the policy names. */
  readonly targetKey: string;
  readonly accepted: Condition;
}

interface PolicyIndex {
  /** `<kind>\u0000<targetKey>` → the policies of that kind naming that target, in no order. */
  readonly byTarget: Map<string, PolicyObject[]>;
  /** The same groups once resolved (sorted, judged): built on first use, so a batch judges only the targets it reads. */
  readonly resolved: Map<string, readonly PolicyState[]>;
}

const TARGET_KINDS: Record<string, { group: string; kind: string; model: string }> = {
  Gateway: { group: GATEWAY_API_GROUP, kind: 'Gateway', model: GatewayKinds.Gateway },
  HTTPRoute: { group: GATEWAY_API_GROUP, kind: 'HTTPRoute', model: GatewayKinds.HTTPRoute },
  GRPCRoute: { group: GATEWAY_API_GROUP, kind: 'GRPCRoute', model: GatewayKinds.GRPCRoute },
  Service: { group: '', kind: 'Service', model: 'Service' },
};

/** The entries a policy defines on its target, each a key two policies collide on. */
function entryKeys(policy: PolicyObject): string[] {
  const spec = policy.spec ?? ({} as PolicyObject['spec'] & object);
  const out: string[] = [];
  for (const p of (spec['ports'] as { port: number }[] | undefined) ?? []) out.push(`port:${p.port}`);
  for (const h of (spec['hostnames'] as { hostname: string }[] | undefined) ?? []) out.push(`host:${h.hostname.toLowerCase()}`);
  for (const m of (spec['http'] as { match: object }[] | undefined) ?? []) out.push(`http:${matchKey(normalizeHttpMatch(m.match))}`);
  for (const m of (spec['grpc'] as { match: object }[] | undefined) ?? []) out.push(`grpc:${matchKey(normalizeGrpcMatch(m.match))}`);
  return out;
}

function build(ctx: GatewayContext): PolicyIndex {
  const byTarget = new Map<string, PolicyObject[]>();
  for (const kind of Object.values(PolicyKinds)) {
    for (const policy of ctx.view.list<PolicyObject>(kind)) {
      const ref = policy.spec?.targetRef;
      if (!ref) continue;
      const group = `${kind}\u0000${policyTargetKey(policy.metadata.namespace ?? '', ref)}`;
      const list = byTarget.get(group);
      if (list) list.push(policy);
      else byTarget.set(group, [policy]);
    }
  }
  return { byTarget, resolved: new Map() };
}

/** Judges the policies of one kind on one target, oldest first. */
function judge(ctx: GatewayContext, kind: string, policies: readonly PolicyObject[]): PolicyState[] {
  const taken = new Set<string>();
  return [...policies].sort(byAge).map((policy) => {
    const ns = policy.metadata.namespace ?? '';
    const ref = (policy.spec as NonNullable<PolicyObject['spec']>).targetRef;
    const targetKey = policyTargetKey(ns, ref);
    const cond = (ok: boolean, reason: string, message: string) => condition(policy, 'Accepted', ok, reason, message);
    const targetNs = ref.namespace ?? ns;
    const what = `${ref.kind} ${targetNs}/${ref.name}`;
    const tk = TARGET_KINDS[ref.kind];
    const target = tk && tk.group === ref.group ? ctx.view.get(tk.model, targetNs, ref.name) : undefined;
    let accepted: Condition;
    if (!target || (tk?.kind === 'Gateway' && !isOwnedGateway(ctx.view, target as Gateway))) {
      accepted = cond(false, 'TargetNotFound', `target ${what} does not exist${target ? ' or is not a Gateway of this controller' : ''}`);
    } else if (!referenceAllowed(ctx, policy, { group: ref.group, kind: ref.kind, namespace: targetNs, name: ref.name })) {
      accepted = cond(false, 'NoAccessToTarget', `target ${what} is in another namespace and no ReferenceGrant in ${targetNs} allows ${kind}s from ${ns}`);
    } else {
      const keys = entryKeys(policy);
      const fresh = keys.filter((k) => !taken.has(k));
      for (const k of fresh) taken.add(k);
      accepted =
        keys.length > 0 && fresh.length === 0
          ? cond(false, 'Conflicted', `every entry is already defined for ${what} by an older ${kind}`)
          : cond(true, 'Accepted', `attached to ${what}`);
    }
    return { policy, targetKey, accepted };
  });
}

function index(ctx: GatewayContext): PolicyIndex {
  let idx = ctx.batch.memo.get('policy-index') as PolicyIndex | undefined;
  if (!idx) {
    idx = build(ctx);
    ctx.batch.memo.set('policy-index', idx);
  }
  return idx;
}

function resolvedGroup(ctx: GatewayContext, group: string): readonly PolicyState[] {
  const idx = index(ctx);
  let states = idx.resolved.get(group);
  if (!states) {
    const policies = idx.byTarget.get(group) ?? [];
    // Shared by every gateway of the batch: callers record what they look up (policiesFor), not what judging read.
    states = policies.length === 0 ? [] : judge({ ...ctx, deps: new Set(), problems: [] }, group.slice(0, group.indexOf('\u0000')), policies);
    idx.resolved.set(group, states);
  }
  return states;
}

/**
 * Accepted policies of `kind` on the target with key `targetKey`, oldest
 * first. Records the target key: a policy change touching that target
 * regenerates the caller.
 */
export function policiesFor<T extends PolicyObject>(ctx: GatewayContext, kind: string, targetKey: string, targetNamespace: string): readonly T[] {
  ctx.deps.add(targetKey);
  // Policies from other namespaces hold on the grants of the target's.
  ctx.deps.add(grantsKey(targetNamespace));
  const group = `${kind}\u0000${targetKey}`;
  if (!index(ctx).byTarget.has(group)) return [];
  return resolvedGroup(ctx, group).filter((s) => s.accepted.status === 'True').map((s) => s.policy) as readonly unknown[] as readonly T[];
}

/** Every policy with its Accepted condition, by kind then age within each target. */
export function policyStates(ctx: GatewayContext): readonly PolicyState[] {
  return [...index(ctx).byTarget.keys()].sort().flatMap((group) => resolvedGroup(ctx, group));
}

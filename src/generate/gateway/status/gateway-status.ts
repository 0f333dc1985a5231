/**
 * The Gateway API status of everything this controller owns, computed purely
 * from the view (the same analysis the config is built from):
 *
 * - GatewayClass: Accepted;
 * - Gateway: Accepted and Programmed, and per listener Accepted, Programmed,
 *   ResolvedRefs and Conflicted with supportedKinds and attachedRoutes;
 * - routes: per parentRef naming a Gateway of ours (or a Gateway that does
 *   not exist), Accepted and ResolvedRefs, with this controller's name;
 * - FSM gateway policies: Accepted (and ResolvedRefs for UpstreamTLSPolicy).
 *
 * Conditions carry the object's generation as observedGeneration; the status
 * writer adds lastTransitionTime. Nothing is reported while MeshConfig
 * `gatewayAPI.enabled` is false.
 */
import {
  GATEWAY_CONTROLLER_NAME,
  GatewayKinds,
  PolicyKinds,
  ROUTE_KINDS,
  type AnyRoute,
  type Condition,
  type Gateway,
  type ParentReference,
  type PortPolicySpec,
  type UpstreamTLSConfig,
} from '../../../model/gateway-types.js';
import { apiKindOf, kindInfo } from '../../../model/kinds/kind-list.js';
import type { MeshObject } from '../../../model/types.js';
import type { ModelView } from '../../../model/view.js';
import { condition } from '../conditions.js';
import { compareStrings, createContext, keyOfObject, type GatewayContext } from '../context.js';
import { analyzeGateway, type GatewayAnalysis } from '../gateway-analysis.js';
import { gatewayApiEnabled, ownedClasses, ownedGateways } from '../gateways.js';
import { normalizedParentRef, parentGatewayKey } from '../parent-refs.js';
import { policyStates } from '../policies/policy-index.js';
import { resolveSecretRef } from '../references.js';

/** The status subresource body the controller owns for one object. */
export interface ObjectStatus {
  /** The Kubernetes kind and apiVersion, as the status subresource is addressed. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The model kind (KindInfo.kind), for looking the object up. */
  readonly modelKind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly generation?: number;
  readonly status: Record<string, unknown>;
}

export interface GatewayStatusReport {
  readonly classes: readonly ObjectStatus[];
  readonly gateways: readonly ObjectStatus[];
  readonly routes: readonly ObjectStatus[];
  readonly policies: readonly ObjectStatus[];
  /** Routes that name no parent at all: they attach nowhere and have nowhere to report it. */
  readonly orphans: readonly ObjectStatus[];
}

function base(obj: MeshObject): Omit<ObjectStatus, 'status'> {
  const info = kindInfo(obj.kind);
  return {
    apiVersion: info?.apiVersion ?? obj.apiVersion,
    kind: apiKindOf(obj.kind),
    modelKind: obj.kind,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name,
    ...(obj.metadata.generation !== undefined ? { generation: obj.metadata.generation } : {}),
  };
}

function gatewayStatus(a: GatewayAnalysis): ObjectStatus {
  const gw = a.gateway;
  const total = a.listeners.length;
  const invalid = a.listeners.filter((l) => !l.programmed).map((l) => l.listener.name);
  const accepted =
    invalid.length === 0
      ? condition(gw, 'Accepted', true, 'Accepted', 'the Gateway is accepted')
      : condition(gw, 'Accepted', invalid.length < total, 'ListenersNotValid', `listeners not valid: ${invalid.join(', ')}`);
  const programmed = invalid.length < total
    ? condition(gw, 'Programmed', true, 'Programmed', `${total - invalid.length} of ${total} listeners are configured`)
    : condition(gw, 'Programmed', false, 'Invalid', 'no listener can be configured');
  return {
    ...base(gw),
    status: {
      conditions: [accepted, programmed],
      listeners: a.listeners.map((l) => ({
        name: l.listener.name,
        supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
        attachedRoutes: a.attachedRoutes.get(l.listener.name) ?? 0,
        conditions: l.conditions,
      })),
    },
  };
}

interface ParentEntry {
  readonly parentRef: ParentReference;
  readonly conditions: readonly Condition[];
}

function routeStatuses(ctx: GatewayContext, analyses: readonly GatewayAnalysis[]): { routes: ObjectStatus[]; orphans: ObjectStatus[] } {
  const parents = new Map<string, { route: AnyRoute; entries: ParentEntry[] }>();
  const entryOf = (route: AnyRoute) => {
    const key = `${route.kind}\u0000${keyOfObject(route)}`;
    let e = parents.get(key);
    if (!e) parents.set(key, (e = { route, entries: [] }));
    return e;
  };
  for (const a of analyses) {
    for (const r of a.routes) {
      for (const p of r.parents) entryOf(r.route).entries.push({ parentRef: p.attachment.ref, conditions: [p.accepted, r.resolvedRefs] });
    }
  }
  const orphans: ObjectStatus[] = [];
  for (const kind of ROUTE_KINDS) {
    for (const route of ctx.view.list<AnyRoute>(kind)) {
      const refs = route.spec?.parentRefs ?? [];
      if (refs.length === 0) {
        orphans.push({ ...base(route), status: { parents: [] } });
        continue;
      }
      for (const ref of refs) {
        const key = parentGatewayKey(route, ref);
        if (!key) continue;
        const [ns = '', name = ''] = key.split('/');
        if (ctx.view.get<Gateway>(GatewayKinds.Gateway, ns, name)) continue;
        entryOf(route).entries.push({
          parentRef: normalizedParentRef(route, ref),
          conditions: [condition(route, 'Accepted', false, 'NoMatchingParent', `Gateway ${key} does not exist`), condition(route, 'ResolvedRefs', true, 'ResolvedRefs', 'not evaluated: no parent')],
        });
      }
    }
  }
  const routes = [...parents.values()].map(({ route, entries }) => ({
    ...base(route),
    status: { parents: entries.map((e) => ({ parentRef: e.parentRef, controllerName: GATEWAY_CONTROLLER_NAME, conditions: e.conditions })) },
  }));
  return { routes, orphans };
}

function policyStatuses(ctx: GatewayContext): ObjectStatus[] {
  return policyStates(ctx).map(({ policy, accepted }) => {
    const conditions: Condition[] = [accepted];
    if (policy.kind === PolicyKinds.UpstreamTLS && accepted.status === 'True') {
      const spec = policy.spec as unknown as PortPolicySpec<UpstreamTLSConfig>;
      const refs = [...(spec.ports ?? []).map((p) => p.config), spec.config].filter((c): c is UpstreamTLSConfig => !!c).map((c) => c.certificateRef);
      const failure = refs.map((ref) => resolveSecretRef(ctx, policy, ref, 'InvalidCertificateRef')).find((r) => !r.ok);
      conditions.push(
        failure && !failure.ok
          ? condition(policy, 'ResolvedRefs', false, failure.failure.reason, failure.failure.message)
          : condition(policy, 'ResolvedRefs', true, 'ResolvedRefs', 'certificate references are resolved'),
      );
    }
    return { ...base(policy), status: { conditions } };
  });
}

const byKey = (a: ObjectStatus, b: ObjectStatus) => compareStrings(`${a.kind}/${a.namespace ?? ''}/${a.name}`, `${b.kind}/${b.namespace ?? ''}/${b.name}`);

/** Every status this controller owns, sorted by kind, namespace and name. */
export function computeGatewayStatus(view: ModelView): GatewayStatusReport {
  if (!gatewayApiEnabled(view)) return { classes: [], gateways: [], routes: [], policies: [], orphans: [] };
  const ctx = createContext(view);
  const classes = ownedClasses(view).map((cls) => ({
    ...base(cls),
    status: { conditions: [condition(cls, 'Accepted', true, 'Accepted', `handled by ${GATEWAY_CONTROLLER_NAME}`)] },
  }));
  const analyses = ownedGateways(view).map((gw) => analyzeGateway(ctx, gw));
  const { routes, orphans } = routeStatuses(ctx, analyses);
  return {
    classes: classes.sort(byKey),
    gateways: analyses.map(gatewayStatus).sort(byKey),
    routes: routes.sort(byKey),
    policies: policyStatuses(ctx).sort(byKey),
    orphans: orphans.sort(byKey),
  };
}

/**
 * How a route attaches to a Gateway, per parentRef, as the Gateway API
 * defines it: the listeners the parentRef selects (sectionName, port), those
 * of them that are programmed, allow the route's kind and namespace
 * (allowedRoutes; namespaces default to Same), and share a hostname with the
 * route. The result carries the route's Accepted condition for that parent.
 */
import { GATEWAY_API_GROUP, type AnyRoute, type Condition, type Gateway, type ParentReference } from '../../model/gateway-types.js';
import { apiKindOf } from '../../model/kinds/kind-list.js';
import { matchesLabelSelector } from '../../model/selectors.js';
import type { MeshObject } from '../../model/types.js';
import { condition } from './conditions.js';
import { keyOfObject, type GatewayContext } from './context.js';
import { ANY_HOST, intersectHostnames } from './hostnames.js';
import { NAMESPACES_KEY } from './keys.js';
import type { ListenerState } from './listeners.js';
import { normalizedParentRef, parentGatewayKey } from './parent-refs.js';

export interface AttachedListener {
  readonly state: ListenerState;
  /** The hostnames the route serves on the listener (`*` for any). */
  readonly hostnames: readonly string[];
}

export interface ParentAttachment {
  /** The parentRef with the API's defaults filled in, as status reports it. */
  readonly ref: ParentReference;
  readonly accepted: Condition;
  readonly listeners: readonly AttachedListener[];
}

const HOSTNAME_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute']);

function namespaceAllowed(ctx: GatewayContext, gw: Gateway, state: ListenerState, routeNs: string): boolean {
  const ns = state.listener.allowedRoutes?.namespaces;
  switch (ns?.from ?? 'Same') {
    case 'All':
      return true;
    case 'Same':
      return routeNs === gw.metadata.namespace;
    case 'Selector': {
      ctx.deps.add(NAMESPACES_KEY);
      const nsObj = ctx.view.get<MeshObject>('Namespace', undefined, routeNs);
      return !!ns?.selector && matchesLabelSelector(ns.selector, nsObj?.metadata.labels);
    }
    default:
      return false;
  }
}

/** The attachment of `route` through each of its parentRefs that names `gw`, in parentRef order. */
export function attachRoute(ctx: GatewayContext, gw: Gateway, states: readonly ListenerState[], route: AnyRoute): ParentAttachment[] {
  const gwKey = keyOfObject(gw);
  const kind = apiKindOf(route.kind);
  const routeNs = route.metadata.namespace ?? '';
  const out: ParentAttachment[] = [];
  for (const raw of route.spec?.parentRefs ?? []) {
    if (parentGatewayKey(route, raw) !== gwKey) continue;
    const ref = normalizedParentRef(route, raw);
    const cond = (ok: boolean, reason: string, message: string) => condition(route, 'Accepted', ok, reason, message);
    const selected = states.filter((s) => (raw.sectionName === undefined || s.listener.name === raw.sectionName) && (raw.port === undefined || s.listener.port === raw.port));
    const usable = selected.filter((s) => s.programmed);
    const what = `Gateway ${gwKey}${raw.sectionName !== undefined ? ` listener ${raw.sectionName}` : ''}${raw.port !== undefined ? ` port ${raw.port}` : ''}`;
    if (usable.length === 0) {
      out.push({ ref, listeners: [], accepted: cond(false, 'NoMatchingParent', selected.length === 0 ? `${what} has no such listener` : `${what}: no listener of it is programmed`) });
      continue;
    }
    const allowed = usable.filter((s) => s.supportedKinds.some((k) => k.group === GATEWAY_API_GROUP && k.kind === kind) && namespaceAllowed(ctx, gw, s, routeNs));
    if (allowed.length === 0) {
      out.push({ ref, listeners: [], accepted: cond(false, 'NotAllowedByListeners', `${what}: no listener allows ${kind}s from namespace ${routeNs}`) });
      continue;
    }
    const listeners: AttachedListener[] = [];
    for (const state of allowed) {
      // Routes without hostnames (TCPRoute on a TLS listener) serve the listener's.
      const hostnames = HOSTNAME_KINDS.has(kind) ? intersectHostnames(state.listener.hostname, route.spec?.hostnames) : [state.listener.hostname ?? ANY_HOST];
      if (hostnames.length > 0) listeners.push({ state, hostnames });
    }
    if (listeners.length === 0) {
      out.push({ ref, listeners, accepted: cond(false, 'NoMatchingListenerHostname', `${what}: no listener hostname matches the route's hostnames`) });
      continue;
    }
    out.push({ ref, listeners, accepted: cond(true, 'Accepted', `attached to ${what}`) });
  }
  return out;
}

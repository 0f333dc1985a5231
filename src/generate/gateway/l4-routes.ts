/**
 * TCPRoute, UDPRoute and TLSRoute backends as FSM's gateway config holds
 * them: weighted backend names for TCP and UDP listeners and for TCPRoutes on
 * TLS Terminate listeners (fgw.TCPRouteRule, UDPRouteRule,
 * TLSBackendService), and one `host:port` per hostname for TLS passthrough
 * (fgw.TLSPassthroughRouteRule; FSM dials the first backend only).
 * Backends that do not resolve keep their weight under the `!unresolved`
 * backend, whose connections are closed.
 */
import type { BackendRef, L4Route } from '../../model/gateway-types.js';
import type { GatewayContext } from './context.js';
import { passthroughTarget } from './endpoints.js';
import { UNRESOLVED_BACKEND } from './l7-routes.js';
import { backendName, resolveBackendRef, type BackendTarget, type RefFailure } from './references.js';

export interface WeightedBackends {
  readonly weights: Record<string, number>;
  readonly backends: readonly BackendTarget[];
  readonly unresolved: boolean;
  readonly failures: readonly RefFailure[];
}

function refsOf(route: L4Route): BackendRef[] {
  return (route.spec?.rules ?? []).flatMap((r) => r.backendRefs ?? []);
}

export function weightedBackends(ctx: GatewayContext, route: L4Route): WeightedBackends {
  const weights: Record<string, number> = {};
  const backends: BackendTarget[] = [];
  const failures: RefFailure[] = [];
  let unresolved = 0;
  for (const ref of refsOf(route)) {
    const weight = ref.weight ?? 1;
    const r = resolveBackendRef(ctx, route, ref);
    if (!r.ok) {
      failures.push(r.failure);
      unresolved += weight;
      continue;
    }
    backends.push(r.value);
    const name = backendName(r.value);
    weights[name] = (weights[name] ?? 0) + weight;
  }
  if (unresolved > 0) weights[UNRESOLVED_BACKEND] = unresolved;
  return { weights, backends, unresolved: unresolved > 0, failures };
}

export interface PassthroughBackend {
  /** `host:port`, or undefined when the first backend does not resolve to an address. */
  readonly target?: string;
  readonly failures: readonly RefFailure[];
}

/** The TLS passthrough target of a TLSRoute: its first backendRef's Service (cluster IP, else an endpoint). */
export function passthroughBackend(ctx: GatewayContext, route: L4Route): PassthroughBackend {
  const refs = refsOf(route);
  const failures: RefFailure[] = [];
  let target: string | undefined;
  refs.forEach((ref, i) => {
    const r = resolveBackendRef(ctx, route, ref);
    if (!r.ok) failures.push(r.failure);
    else if (i === 0) {
      target = passthroughTarget(ctx, r.value.service, r.value.port);
      if (!target) failures.push({ reason: 'BackendNotFound', message: `Service ${backendName(r.value)} has no cluster IP and no ready endpoint` });
    }
  });
  return { ...(target ? { target } : {}), failures };
}

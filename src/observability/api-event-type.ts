/**
 * The `type` label of fsm_k8s_api_event_count: FSM counts each informer event
 * under the announcement kind of its handler (`pkg/announcements/types.go`,
 * `pkg/k8s/event_handlers.go`): `<name>-added`, `<name>-updated`,
 * `<name>-deleted`, where the name is the lower-cased kind, with the
 * exceptions below, and Gateway API kinds prefixed `gwapi-`. Kinds FSM has no
 * announcement for (SMI UDPRoute, TrafficWarmup) follow the same rule.
 */

export type ApiEventOperation = 'added' | 'updated' | 'deleted';

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Kinds whose FSM announcement name is not the lower-cased kind. */
const ANNOUNCED_AS: ReadonlyMap<string, string> = new Map([
  ['Endpoints', 'endpoint'],
  ['EndpointSlice', 'endpointslices'],
  ['HTTPRouteGroup', 'routegroup'],
  ['CircuitBreakingPolicy', 'circuitbreaking'],
]);

/**
 * `kind`: the Kubernetes kind (a model kind qualified by its group, such as
 * `TCPRoute.gateway.networking.k8s.io`, is read up to the first dot);
 * `apiVersion`: `group/version`, or `version` for the core group.
 */
export function apiEventType(kind: string, apiVersion: string, op: ApiEventOperation): string {
  const apiKind = kind.split('.')[0] ?? kind;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const name = group === GATEWAY_API_GROUP ? `gwapi-${apiKind.toLowerCase()}` : (ANNOUNCED_AS.get(apiKind) ?? apiKind.toLowerCase());
  return `${name}-${op}`;
}

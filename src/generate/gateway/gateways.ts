/**
 * Which Gateways this controller runs, and the repo codebase each is served
 * as. A Gateway is ours when its GatewayClass names the controller
 * `flomesh.io/gateway-controller` (FSM's) and MeshConfig
 * `gatewayAPI.enabled` is true.
 *
 * Codebase names: FSM 1.3's gateway Deployment fetches
 * `/repo/local/gw/<namespace>/` (pkg/utils/repo.go), since FSM runs one
 * Gateway per namespace (the oldest). Here every Gateway runs: the oldest of
 * a namespace (creationTimestamp, then name, FSM's choice) keeps
 * `local/gw/<namespace>`, so FSM's Deployments work unchanged and adding a
 * second Gateway never moves the first; the others are served as
 * `local/gws/<namespace>/<name>` (not under `local/gw/<namespace>/`, where a
 * Gateway named like a script directory, `http`, would shadow that
 * directory's files).
 */
import { GATEWAY_CONTROLLER_NAME, GatewayKinds, type Gateway, type GatewayClass } from '../../model/gateway-types.js';
import type { ModelView } from '../../model/view.js';
import { byAge, compareStrings, keyOfObject } from './context.js';

export function gatewayApiEnabled(view: ModelView): boolean {
  return view.meshConfig.spec.gatewayAPI.enabled === true;
}

export function isOwnedClass(cls: GatewayClass | undefined): boolean {
  return cls?.spec?.controllerName === GATEWAY_CONTROLLER_NAME;
}

/** Our GatewayClasses, by name. */
export function ownedClasses(view: ModelView): readonly GatewayClass[] {
  return view.list<GatewayClass>(GatewayKinds.GatewayClass).filter(isOwnedClass);
}

export function isOwnedGateway(view: ModelView, gw: Gateway): boolean {
  return isOwnedClass(view.get<GatewayClass>(GatewayKinds.GatewayClass, undefined, gw.spec?.gatewayClassName ?? ''));
}

/** Our Gateways (ignoring `gatewayAPI.enabled`), by namespace then name. */
export function ownedGateways(view: ModelView): readonly Gateway[] {
  return view.list<Gateway>(GatewayKinds.Gateway).filter((gw) => isOwnedGateway(view, gw));
}

/** The node key of a Gateway: `<namespace>/<name>`. */
export const nodeKeyOf = keyOfObject;

export function parseNodeKey(key: string): { namespace: string; name: string } | undefined {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const NAMESPACE_CODEBASE_PREFIX = 'local/gw/';
export const NAMED_CODEBASE_PREFIX = 'local/gws/';

/** The codebase name (repo path without `/repo/`) a Gateway is served as. */
export function codebaseNameOf(view: ModelView, gw: Gateway): string {
  const ns = gw.metadata.namespace ?? '';
  const siblings = view.list<Gateway>(GatewayKinds.Gateway, ns).filter((g) => isOwnedGateway(view, g));
  const oldest = [...siblings].sort(byAge)[0];
  return oldest && keyOfObject(oldest) === keyOfObject(gw) ? `${NAMESPACE_CODEBASE_PREFIX}${ns}` : `${NAMED_CODEBASE_PREFIX}${ns}/${gw.metadata.name}`;
}

/** Node keys of every Gateway we run, sorted; none unless the Gateway API is enabled. */
export function gatewayNodeKeys(view: ModelView): string[] {
  if (!gatewayApiEnabled(view)) return [];
  return ownedGateways(view).map(nodeKeyOf).sort(compareStrings);
}

/**
 * Dependency keys of the gateway generator: what a gateway recorded reading,
 * and what a model change touches. A gateway is regenerated only when a
 * change touches one of its keys.
 *
 *   gateway:<ns>/<name>        the Gateway, and the policies targeting it
 *   class:<name>               a GatewayClass
 *   routes:<ns>/<gateway>      the routes naming the gateway in a parentRef (old or new version)
 *   route:<Kind>/<ns>/<name>   the policies targeting a route
 *   svc:<ns>/<name>            a Service, its endpoints, the policies targeting it
 *   secret:<ns>/<name>         a Secret (certificates, CA bundles)
 *   grants:<ns>                the ReferenceGrants of a namespace
 *   namespaces                 namespace labels (allowedRoutes selectors)
 *   mesh                       the MeshConfig
 */
import { GatewayKinds, PolicyKinds, ROUTE_KINDS, type AnyRoute, type PolicyTargetRef } from '../../model/gateway-types.js';
import { apiKindOf } from '../../model/kinds/kind-list.js';
import { Labels, type MeshObject } from '../../model/types.js';
import type { ModelChange } from '../../model/view.js';
import { parentGatewayKeys } from './parent-refs.js';

export const gatewayKey = (ns: string, name: string): string => `gateway:${ns}/${name}`;
export const classKey = (name: string): string => `class:${name}`;
export const routesKey = (gatewayNsName: string): string => `routes:${gatewayNsName}`;
/** `kind` is the Kubernetes kind (HTTPRoute, GRPCRoute), as policy targetRefs name it. */
export const routeKey = (kind: string, ns: string, name: string): string => `route:${kind}/${ns}/${name}`;
export const svcKey = (ns: string, name: string): string => `svc:${ns}/${name}`;
export const secretKey = (ns: string, name: string): string => `secret:${ns}/${name}`;
export const grantsKey = (ns: string): string => `grants:${ns}`;
export const NAMESPACES_KEY = 'namespaces';
export const MESH_KEY = 'mesh';

const ROUTE_KIND_SET: ReadonlySet<string> = new Set(ROUTE_KINDS);
const POLICY_KIND_SET: ReadonlySet<string> = new Set(Object.values(PolicyKinds));

/** The key a policy's targetRef touches (its target object's). */
export function policyTargetKey(policyNs: string, ref: PolicyTargetRef): string {
  const ns = ref.namespace ?? policyNs;
  if (ref.kind === 'Gateway') return gatewayKey(ns, ref.name);
  if (ref.kind === 'Service' || ref.kind === 'ServiceImport') return svcKey(ns, ref.name);
  return routeKey(ref.kind, ns, ref.name);
}

function objectKeys(obj: MeshObject, out: Set<string>): void {
  const ns = obj.metadata.namespace ?? '';
  const name = obj.metadata.name;
  if (ROUTE_KIND_SET.has(obj.kind)) {
    for (const parent of parentGatewayKeys(obj as AnyRoute)) out.add(routesKey(parent));
    out.add(routeKey(apiKindOf(obj.kind), ns, name));
    return;
  }
  if (POLICY_KIND_SET.has(obj.kind)) {
    const ref = (obj.spec as { targetRef?: PolicyTargetRef } | undefined)?.targetRef;
    if (ref) out.add(policyTargetKey(ns, ref));
    return;
  }
  switch (obj.kind) {
    case GatewayKinds.Gateway:
      out.add(gatewayKey(ns, name));
      return;
    case GatewayKinds.GatewayClass:
      out.add(classKey(name));
      return;
    case GatewayKinds.ReferenceGrant:
      out.add(grantsKey(ns));
      return;
    case 'Service':
    case 'Endpoints':
      out.add(svcKey(ns, name));
      return;
    case 'EndpointSlice': {
      const svc = obj.metadata.labels?.[Labels.EndpointSliceService];
      if (svc) out.add(svcKey(ns, svc));
      return;
    }
    case 'Secret':
      out.add(secretKey(ns, name));
      return;
    case 'Namespace':
      out.add(NAMESPACES_KEY);
      return;
    case 'MeshConfig':
      out.add(MESH_KEY);
      return;
    default:
  }
}

/** Keys touched by the old and the new version of every changed object. */
export function changeKeys(changes: Iterable<ModelChange>): Set<string> {
  const out = new Set<string>();
  for (const c of changes) {
    if (c.old) objectKeys(c.old, out);
    if (c.new) objectKeys(c.new, out);
  }
  return out;
}

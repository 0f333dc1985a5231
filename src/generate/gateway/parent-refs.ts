/**
 * parentRefs of routes: which Gateways a route names. A parentRef's group
 * defaults to gateway.networking.k8s.io, its kind to Gateway and its
 * namespace to the route's (the API's defaults).
 */
import { GATEWAY_API_GROUP, type AnyRoute, type ParentReference } from '../../model/gateway-types.js';
import type { MeshObject } from '../../model/types.js';

function isGatewayRef(ref: ParentReference): boolean {
  return (ref.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (ref.kind ?? 'Gateway') === 'Gateway';
}

/** `<ns>/<name>` of the Gateway a parentRef names (undefined for other parent kinds). */
export function parentGatewayKey(route: Pick<MeshObject, 'metadata'>, ref: ParentReference): string | undefined {
  return isGatewayRef(ref) ? `${ref.namespace ?? route.metadata.namespace ?? ''}/${ref.name}` : undefined;
}

/** The distinct Gateways a route names. */
export function parentGatewayKeys(route: AnyRoute): string[] {
  const out = new Set<string>();
  for (const ref of route.spec?.parentRefs ?? []) {
    const key = parentGatewayKey(route, ref);
    if (key) out.add(key);
  }
  return [...out];
}

/** The parentRef as status reports it: the API's defaults filled in. */
export function normalizedParentRef(route: Pick<MeshObject, 'metadata'>, ref: ParentReference): ParentReference {
  return {
    group: ref.group ?? GATEWAY_API_GROUP,
    kind: ref.kind ?? 'Gateway',
    namespace: ref.namespace ?? route.metadata.namespace ?? '',
    name: ref.name,
    ...(ref.sectionName !== undefined ? { sectionName: ref.sectionName } : {}),
    ...(ref.port !== undefined ? { port: ref.port } : {}),
  };
}

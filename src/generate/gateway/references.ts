/**
 * References out of Gateway API objects: ReferenceGrant checks for
 * cross-namespace references, Secrets (certificates, CA bundles) and
 * backendRefs to Services. Each lookup records its dependency key.
 */
import { GatewayKinds, type BackendRef, type ObjectReference, type ReferenceGrant } from '../../model/gateway-types.js';
import { apiKindOf } from '../../model/kinds/kind-list.js';
import type { MeshObject, Secret, Service } from '../../model/types.js';
import type { GatewayContext } from './context.js';
import { grantsKey, secretKey, svcKey } from './keys.js';

/** The API group of a model object's kind, as ReferenceGrant `from` names it. */
export function groupOf(obj: MeshObject): string {
  const av = obj.apiVersion;
  return av.includes('/') ? av.slice(0, av.indexOf('/')) : '';
}

/**
 * Whether a ReferenceGrant in the target namespace allows `from` (its group,
 * kind and namespace) to reference the target (group, kind, name). Same
 * namespace references need no grant.
 */
export function referenceAllowed(ctx: GatewayContext, from: MeshObject, to: { group: string; kind: string; namespace: string; name: string }): boolean {
  const fromNs = from.metadata.namespace ?? '';
  if (to.namespace === fromNs) return true;
  ctx.deps.add(grantsKey(to.namespace));
  const fromGroup = groupOf(from);
  const fromKind = apiKindOf(from.kind);
  return ctx.view.list<ReferenceGrant>(GatewayKinds.ReferenceGrant, to.namespace).some(
    (g) =>
      (g.spec?.from ?? []).some((f) => f.group === fromGroup && f.kind === fromKind && f.namespace === fromNs) &&
      (g.spec?.to ?? []).some((t) => t.group === to.group && t.kind === to.kind && (!t.name || t.name === to.name)),
  );
}

/** A reference that did not resolve, with the Gateway API reason for its condition. */
export interface RefFailure {
  readonly reason: string;
  readonly message: string;
}

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: RefFailure };

const fail = <T>(reason: string, message: string): Resolved<T> => ({ ok: false, failure: { reason, message } });

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** A Secret's key as text (`data` is base64, `stringData` plain, as the API accepts both). */
export function secretText(secret: Secret, key: string): string | undefined {
  return secret.stringData?.[key] ?? decode(secret.data?.[key]);
}

/**
 * A Secret named by a Gateway (certificateRefs, caCertificateRefs) or a
 * policy: group "" and kind Secret, same namespace or granted.
 * `invalidReason` is the listener reason for a bad reference
 * (InvalidCertificateRef, InvalidCACertificateRef).
 */
export function resolveSecretRef(ctx: GatewayContext, from: MeshObject, ref: ObjectReference, invalidReason: string, kindReason = invalidReason): Resolved<Secret> {
  const ns = ref.namespace ?? from.metadata.namespace ?? '';
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Secret';
  if (group !== '' || kind !== 'Secret') return fail(kindReason, `${kind === '' ? 'kind' : kind} of group "${group}" is not supported; use a Secret`);
  if (!referenceAllowed(ctx, from, { group: '', kind: 'Secret', namespace: ns, name: ref.name })) {
    return fail('RefNotPermitted', `Secret ${ns}/${ref.name} is in another namespace and no ReferenceGrant in ${ns} allows it`);
  }
  ctx.deps.add(secretKey(ns, ref.name));
  const secret = ctx.view.get<Secret>('Secret', ns, ref.name);
  if (!secret) return fail(invalidReason, `Secret ${ns}/${ref.name} does not exist`);
  return { ok: true, value: secret };
}

/** A backend as the config names it: `<ns>/<name>:<port>` (FSM's ServicePortName). */
export interface BackendTarget {
  readonly name: string;
  readonly namespace: string;
  readonly service: Service;
  readonly port: number;
}

/**
 * A backendRef (rules, mirrors) to a Service port: group "" and kind Service
 * (the defaults), a port, the Service existing with that port, and a
 * ReferenceGrant when it is in another namespace.
 */
export function resolveBackendRef(ctx: GatewayContext, route: MeshObject, ref: BackendRef): Resolved<BackendTarget> {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const ns = ref.namespace ?? route.metadata.namespace ?? '';
  if (group !== '' || kind !== 'Service') return fail('InvalidKind', `backendRef kind ${kind} of group "${group}" is not supported; use a Service`);
  if (!referenceAllowed(ctx, route, { group: '', kind: 'Service', namespace: ns, name: ref.name })) {
    return fail('RefNotPermitted', `Service ${ns}/${ref.name} is in another namespace and no ReferenceGrant in ${ns} allows ${apiKindOf(route.kind)} references from ${route.metadata.namespace}`);
  }
  ctx.deps.add(svcKey(ns, ref.name));
  const service = ctx.view.get<Service>('Service', ns, ref.name);
  if (!service) return fail('BackendNotFound', `Service ${ns}/${ref.name} does not exist`);
  if (ref.port === undefined) return fail('BackendNotFound', `backendRef to Service ${ns}/${ref.name} has no port`);
  if (service.spec?.type === 'ExternalName') return fail('BackendNotFound', `Service ${ns}/${ref.name} is of type ExternalName, which the gateway does not route to`);
  if (!(service.spec?.ports ?? []).some((p) => p.port === ref.port)) return fail('BackendNotFound', `Service ${ns}/${ref.name} has no port ${ref.port}`);
  return { ok: true, value: { name: ref.name, namespace: ns, service, port: ref.port } };
}

export const backendName = (t: Pick<BackendTarget, 'namespace' | 'name' | 'port'>): string => `${t.namespace}/${t.name}:${t.port}`;

/**
 * Cross-object checks over the visible model. Unlike per-object validation
 * these do not refuse anything (the referenced object may arrive later);
 * they report problems FSM would log with an error code:
 *
 * - E2005: a TrafficTarget rule names an HTTPRouteGroup that does not exist
 * - E2004: an Egress match names an HTTPRouteGroup that does not exist
 * - E3000: a Service with a selector has no endpoints
 * - a TrafficSplit names an apex or backend Service that does not exist
 *   (FSM has no code for it)
 *
 * Only objects related to the batch's changes are re-evaluated.
 */
import { describeObject, type ModelError } from '../errors.js';
import type { SourceOrigin } from '../source-events.js';
import { Labels, objectKey, type MeshObject, type Service } from '../types.js';
import type { ModelChange, ModelView } from '../view.js';

type Rule = { kind?: string; name?: string };

function originField(origin: SourceOrigin | undefined): { origin?: SourceOrigin } {
  return origin ? { origin } : {};
}

/** Problems per object key for every object re-evaluated; an empty list clears a key. */
export function crossCheck(
  view: ModelView,
  changes: readonly ModelChange[],
  originOf: (key: string) => SourceOrigin | undefined,
): Map<string, ModelError[]> {
  const out = new Map<string, ModelError[]>();
  const kinds = new Set(changes.map((c) => c.kind));
  for (const c of changes) if (!c.new) out.set(c.key, []);

  const routeKinds = kinds.has('HTTPRouteGroup') || kinds.has('TCPRoute') || kinds.has('UDPRoute') || kinds.has('Namespace');
  if (kinds.has('TrafficTarget') || routeKinds) {
    for (const tt of view.list('TrafficTarget')) out.set(keyOf(tt), checkTrafficTarget(view, tt, originOf));
  }
  if (kinds.has('Egress') || routeKinds) {
    for (const eg of view.list('Egress')) out.set(keyOf(eg), checkEgress(view, eg, originOf));
  }

  // TrafficSplits of the namespaces whose splits or services changed.
  const splitNamespaces = new Set<string>();
  for (const c of changes) {
    const o = c.new ?? c.old;
    if (!o) continue;
    if (c.kind === 'TrafficSplit' || c.kind === 'Service') splitNamespaces.add(o.metadata.namespace ?? '');
    else if (c.kind === 'Namespace') splitNamespaces.add(o.metadata.name);
  }
  for (const ns of splitNamespaces) {
    for (const split of view.list('TrafficSplit', ns)) out.set(keyOf(split), checkTrafficSplit(view, split, originOf));
  }

  const services = new Set<string>();
  for (const c of changes) {
    for (const o of [c.old, c.new]) {
      if (!o) continue;
      const ns = o.metadata.namespace ?? '';
      if (o.kind === 'Service' || o.kind === 'Endpoints') services.add(`${ns}/${o.metadata.name}`);
      else if (o.kind === 'EndpointSlice') {
        const svc = o.metadata.labels?.[Labels.EndpointSliceService];
        if (svc) services.add(`${ns}/${svc}`);
      } else if (o.kind === 'Namespace') for (const s of view.list('Service', o.metadata.name)) services.add(`${o.metadata.name}/${s.metadata.name}`);
    }
  }
  for (const ref of services) {
    const [ns = '', name = ''] = ref.split('/');
    const svc = view.get<Service>('Service', ns, name);
    const key = objectKey('Service', ns, name);
    out.set(key, svc ? checkService(view, svc, originOf(key)) : []);
  }
  return out;
}

function keyOf(o: MeshObject): string {
  return objectKey(o.kind, o.metadata.namespace, o.metadata.name);
}

function checkTrafficTarget(view: ModelView, tt: MeshObject, originOf: (k: string) => SourceOrigin | undefined): ModelError[] {
  const ns = tt.metadata.namespace ?? '';
  const key = keyOf(tt);
  const rules = ((tt.spec as { rules?: Rule[] } | undefined)?.rules ?? []);
  const errs: ModelError[] = [];
  rules.forEach((r, i) => {
    if (!r.kind || !r.name || view.get(r.kind, ns, r.name)) return;
    errs.push({
      object: describeObject('TrafficTarget', ns, tt.metadata.name),
      key,
      field: `spec.rules[${i}].name`,
      reason: `${r.kind} ${ns}/${r.name} not found`,
      ...(r.kind === 'HTTPRouteGroup' ? { code: 'E2005' } : {}),
      ...originField(originOf(key)),
    });
  });
  return errs;
}

function checkEgress(view: ModelView, eg: MeshObject, originOf: (k: string) => SourceOrigin | undefined): ModelError[] {
  const ns = eg.metadata.namespace ?? '';
  const key = keyOf(eg);
  const matches = ((eg.spec as { matches?: Rule[] } | undefined)?.matches ?? []);
  const errs: ModelError[] = [];
  matches.forEach((m, i) => {
    if (m.kind !== 'HTTPRouteGroup' || !m.name || view.get('HTTPRouteGroup', ns, m.name)) return;
    errs.push({
      object: describeObject('Egress', ns, eg.metadata.name),
      key,
      field: `spec.matches[${i}].name`,
      reason: `HTTPRouteGroup ${ns}/${m.name} not found`,
      code: 'E2004',
      ...originField(originOf(key)),
    });
  });
  return errs;
}

function checkTrafficSplit(view: ModelView, split: MeshObject, originOf: (k: string) => SourceOrigin | undefined): ModelError[] {
  const ns = split.metadata.namespace ?? '';
  const key = keyOf(split);
  const spec = split.spec as { service?: string; backends?: { service?: string }[] } | undefined;
  // Names may be written as FQDNs in the split's namespace (`web.shop.svc.cluster.local`).
  const refs: [string, string | undefined][] = [['spec.service', spec?.service], ...(spec?.backends ?? []).map((b, i): [string, string | undefined] => [`spec.backends[${i}].service`, b.service])];
  const errs: ModelError[] = [];
  for (const [field, ref] of refs) {
    const name = ref?.split('.')[0];
    if (!name || view.get('Service', ns, name)) continue;
    errs.push({ object: describeObject('TrafficSplit', ns, split.metadata.name), key, field, reason: `Service ${ns}/${name} not found`, ...originField(originOf(key)) });
  }
  return errs;
}

function checkService(view: ModelView, svc: Service, origin: SourceOrigin | undefined): ModelError[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  const ns = svc.metadata.namespace ?? '';
  const slices = view.endpointSlicesForService(ns, svc.metadata.name);
  const hasEndpoint = slices.some((s) => (s.endpoints ?? []).some((e) => e.addresses.length > 0));
  if (hasEndpoint) return [];
  return [
    {
      object: describeObject('Service', ns, svc.metadata.name),
      key: objectKey('Service', ns, svc.metadata.name),
      field: '',
      reason: 'no endpoints found for the service',
      code: 'E3000',
      ...originField(origin),
    },
  ];
}

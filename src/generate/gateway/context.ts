/**
 * What every part of the gateway generator shares while it looks at the
 * model: the view, the dependency keys read (keys.ts), the problems found,
 * and the batch memo (indexes many gateways of one batch reuse). Status
 * (status/) uses the same context, so the config and the conditions are
 * computed by the same code and cannot disagree.
 */
import type { AnyRoute, Gateway } from '../../model/gateway-types.js';
import { ROUTE_KINDS } from '../../model/gateway-types.js';
import type { MeshObject } from '../../model/types.js';
import type { ModelView } from '../../model/view.js';
import type { GenerationProblem } from '../generator.js';
import { parentGatewayKeys } from './parent-refs.js';

/** Per batch: indexes built once while the view does not change. Never mutate what they hold. */
export interface GatewayBatch {
  /** `<ns>/<gateway>` → the routes (of every kind) with a parentRef naming it, in precedence order (routeOrder). */
  routesByGateway?: Map<string, readonly AnyRoute[]>;
  /** Memo of per-object results keyed by a string naming every input. */
  readonly memo: Map<string, unknown>;
}

export function createGatewayBatch(): GatewayBatch {
  return { memo: new Map() };
}

export interface GatewayContext {
  readonly view: ModelView;
  readonly deps: Set<string>;
  readonly problems: GenerationProblem[];
  readonly batch: GatewayBatch;
}

export function createContext(view: ModelView, batch: GatewayBatch = createGatewayBatch()): GatewayContext {
  return { view, deps: new Set(), problems: [], batch };
}

/** `Kind namespace/name`, with the Kubernetes kind (TCPRoute, not its qualified model name). */
export function describe(obj: Pick<MeshObject, 'kind' | 'metadata'>): string {
  const kind = obj.kind.includes('.') ? obj.kind.slice(0, obj.kind.indexOf('.')) : obj.kind;
  const ns = obj.metadata.namespace;
  return `${kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
}

export function report(ctx: GatewayContext, obj: MeshObject, reason: string, extra: { field?: string; code?: string } = {}): void {
  ctx.problems.push({ object: describe(obj), reason, ...extra });
}

export const keyOfObject = (obj: Pick<MeshObject, 'metadata'>): string => `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;

/**
 * The Gateway API's tie-break between objects: the oldest creationTimestamp
 * first, then `namespace/name` alphabetically. Objects without a timestamp
 * (the file source) order by name alone, as if created together.
 */
export function byAge(a: MeshObject, b: MeshObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) {
    const da = Date.parse(ta);
    const db = Date.parse(tb);
    if (Number.isFinite(da) && Number.isFinite(db) && da !== db) return da - db;
    if (ta === '' || tb === '') return ta === '' ? 1 : -1;
  }
  const ka = keyOfObject(a);
  const kb = keyOfObject(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Every route (all kinds) naming the gateway in a parentRef, oldest first; indexed once per batch. */
export function routesOf(ctx: GatewayContext, gateway: Gateway): readonly AnyRoute[] {
  let index = ctx.batch.routesByGateway;
  if (!index) {
    const building = new Map<string, AnyRoute[]>();
    for (const kind of ROUTE_KINDS) {
      for (const route of ctx.view.list<AnyRoute>(kind)) {
        for (const key of parentGatewayKeys(route)) {
          const list = building.get(key);
          if (list) list.push(route);
          else building.set(key, [route]);
        }
      }
    }
    for (const list of building.values()) list.sort(byAge);
    ctx.batch.routesByGateway = index = building;
  }
  return index.get(keyOfObject(gateway)) ?? [];
}

/** Code-unit order, so output never depends on input order. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

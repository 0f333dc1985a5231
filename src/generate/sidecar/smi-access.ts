/**
 * SMI access control: which identities may call this proxy on which HTTP
 * routes and TCP ports (TrafficTarget + HTTPRouteGroup/TCPRoute), and which
 * destination identities this proxy may call. Deny by default: no
 * TrafficTarget, no access. A target whose route group is missing or empty
 * is reported with FSM's code and contributes nothing.
 */
import type { HTTPRouteGroup, TCPRoute, TrafficTarget } from '../../model/types.js';
import type { ModelView } from '../../model/view.js';
import type { GenContext } from './context.js';
import { memoize, report, sorted } from './context.js';
import { idKey } from './dependency-keys.js';

/**
 * FSM error codes the generator reports (pkg/errcode, the same table as
 * OSM's): E2005 ErrFetchingSMIHTTPRouteGroupForTrafficTarget, E2006
 * ErrSMIHTTPRouteGroupNoMatch, E2007 ErrMultipleSMISplitPerServiceUnsupported,
 * E2010 ErrInvalidDestinationKind, E2011 ErrInvalidSourceKind.
 */
export const ErrCodes = {
  InvalidCIDR: 'E2002',
  EgressHTTPRouteGroupNotFound: 'E2004',
  TrafficTargetHTTPRouteGroupNotFound: 'E2005',
  HTTPRouteGroupNoMatch: 'E2006',
  ConflictingTrafficSplits: 'E2007',
  InvalidDestinationKind: 'E2010',
  InvalidSourceKind: 'E2011',
  EndpointsNotFound: 'E3000',
} as const;

export interface HttpAccessRule {
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Absent: any method. */
  readonly methods?: readonly string[];
  /** `sa.ns` identities allowed on this route. */
  readonly sources: readonly string[];
}

export interface InboundAccess {
  /** HTTP routes, identical matches merged (their sources united). */
  readonly http: readonly HttpAccessRule[];
  /** UDP: allowed sources per port; key `*` for UDPRoutes without ports. */
  readonly udp: ReadonlyMap<number | '*', readonly string[]>;
  /** TCP: allowed sources per port; key `*` for TCPRoutes without ports. */
  readonly tcp: ReadonlyMap<number | '*', readonly string[]>;
  /** Every source identity some target allows. */
  readonly sources: readonly string[];
}

/** TrafficTargets indexed by destination and source identity; build once per batch and share. */
export interface SmiIndex {
  byDestination(identity: string): readonly TrafficTarget[];
  bySource(identity: string): readonly TrafficTarget[];
}

function subjectId(s: { name: string; namespace?: string } | undefined, dfltNs: string): string | undefined {
  return s?.name ? `${s.name}.${s.namespace || dfltNs}` : undefined;
}

export function createSmiIndex(targets: readonly TrafficTarget[]): SmiIndex {
  const byDst = new Map<string, TrafficTarget[]>();
  const bySrc = new Map<string, TrafficTarget[]>();
  const push = (m: Map<string, TrafficTarget[]>, k: string, t: TrafficTarget): void => {
    const l = m.get(k);
    if (l) l.push(t);
    else m.set(k, [t]);
  };
  for (const tt of targets) {
    const ns = tt.metadata.namespace ?? '';
    const dst = subjectId(tt.spec?.destination, ns);
    if (dst) push(byDst, dst, tt);
    for (const s of tt.spec?.sources ?? []) {
      const id = subjectId(s, ns);
      if (id) push(bySrc, id, tt);
    }
  }
  return {
    byDestination: (id) => byDst.get(id) ?? [],
    bySource: (id) => bySrc.get(id) ?? [],
  };
}

/** Hands out the SMI index of a view, rebuilt only when its TrafficTargets changed. */
export interface SmiIndexCache {
  index(view: ModelView): SmiIndex;
}

/**
 * The store keeps one sorted TrafficTarget list per namespace and replaces
 * it when the namespace's targets change, so the same list objects as last
 * time mean the same targets: the previous index is reused. (A view that
 * returns fresh lists just gets a fresh index every time.)
 */
export function createSmiIndexCache(): SmiIndexCache {
  let lists: readonly (readonly TrafficTarget[])[] = [];
  let last: SmiIndex | undefined;
  return {
    index(view) {
      const now = view.namespaces().map((ns) => view.list<TrafficTarget>('TrafficTarget', ns));
      if (!last || now.length !== lists.length || now.some((l, i) => l !== lists[i])) {
        last = createSmiIndex(now.flat());
        lists = now;
      }
      return last;
    },
  };
}

function validKinds(ctx: GenContext, tt: TrafficTarget): boolean {
  if (tt.spec?.destination?.kind !== 'ServiceAccount') {
    report(ctx, tt, 'destination kind must be ServiceAccount', { code: ErrCodes.InvalidDestinationKind, field: 'spec.destination.kind' });
    return false;
  }
  const bad = (tt.spec.sources ?? []).findIndex((s) => s.kind !== 'ServiceAccount');
  if (bad >= 0) {
    report(ctx, tt, 'source kind must be ServiceAccount', { code: ErrCodes.InvalidSourceKind, field: `spec.sources[${bad}].kind` });
    return false;
  }
  return true;
}

type MatchShape = { path: string; headers?: Readonly<Record<string, string>> | undefined; methods?: readonly string[] | undefined };

function sameMatch(a: MatchShape, b: MatchShape): boolean {
  return a.path === b.path && JSON.stringify(a.headers ?? {}) === JSON.stringify(b.headers ?? {}) && JSON.stringify(a.methods ?? []) === JSON.stringify(b.methods ?? []);
}

function sortedHeaders(h: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!h || Object.keys(h).length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of Object.keys(h).sort()) out[k] = h[k] as string;
  return out;
}

/** What the proxy's identity accepts, by SMI policy (computed once per identity and batch). */
export function inboundAccess(ctx: GenContext, index: SmiIndex): InboundAccess {
  const identity = ctx.proxy.identity;
  return memoize(ctx, `access\u0000${identity}`, (c) => computeInboundAccess(c, index, identity));
}

function computeInboundAccess(ctx: GenContext, index: SmiIndex, identity: string): InboundAccess {
  ctx.deps.add(idKey(identity));
  const http: { path: string; headers?: Record<string, string>; methods?: string[]; sources: Set<string> }[] = [];
  const tcp = new Map<number | '*', Set<string>>();
  const udp = new Map<number | '*', Set<string>>();
  const all = new Set<string>();
  const targets = sorted(index.byDestination(identity), (t) => `${t.metadata.namespace}/${t.metadata.name}`);
  for (const tt of targets) {
    if (!validKinds(ctx, tt)) continue;
    const ns = tt.metadata.namespace ?? '';
    const sources = (tt.spec?.sources ?? []).map((s) => subjectId(s, ns)).filter((s): s is string => s !== undefined);
    (tt.spec?.rules ?? []).forEach((rule, i) => {
      if (rule.kind === 'HTTPRouteGroup') {
        const group = ctx.view.get<HTTPRouteGroup>('HTTPRouteGroup', ns, rule.name);
        if (!group) {
          report(ctx, tt, `HTTPRouteGroup ${ns}/${rule.name} not found`, { code: ErrCodes.TrafficTargetHTTPRouteGroupNotFound, field: `spec.rules[${i}].name` });
          return;
        }
        const matches = group.spec?.matches ?? [];
        if (matches.length === 0) {
          report(ctx, group, 'HTTPRouteGroup has no matches', { code: ErrCodes.HTTPRouteGroupNoMatch, field: 'spec.matches' });
          return;
        }
        // Omitted rule matches mean every match of the group; listed ones are OR-ed.
        const chosen = rule.matches && rule.matches.length > 0 ? matches.filter((m) => rule.matches?.includes(m.name)) : matches;
        for (const m of chosen) {
          const methods = m.methods && m.methods.length > 0 && !m.methods.includes('*') ? [...m.methods].sort() : undefined;
          const candidate = { path: m.pathRegex || '.*', headers: sortedHeaders(m.headers), methods };
          let entry = http.find((h) => sameMatch(h, candidate));
          if (!entry) {
            entry = { ...candidate, sources: new Set() } as (typeof http)[number];
            http.push(entry);
          }
          for (const s of sources) entry.sources.add(s);
          for (const s of sources) all.add(s);
        }
      } else if (rule.kind === 'TCPRoute' || rule.kind === 'UDPRoute') {
        const route = ctx.view.get<TCPRoute>(rule.kind, ns, rule.name);
        if (!route) {
          report(ctx, tt, `${rule.kind} ${ns}/${rule.name} not found`, { field: `spec.rules[${i}].name` });
          return;
        }
        const byPort = rule.kind === 'TCPRoute' ? tcp : udp;
        const ports = route.spec?.matches?.ports ?? [];
        for (const p of ports.length > 0 ? ports : (['*'] as const)) {
          let set = byPort.get(p);
          if (!set) byPort.set(p, (set = new Set()));
          for (const s of sources) set.add(s);
        }
        for (const s of sources) all.add(s);
      }
    });
  }
  const out: HttpAccessRule[] = http.map((h) => ({
    path: h.path,
    ...(h.headers ? { headers: h.headers } : {}),
    ...(h.methods ? { methods: h.methods } : {}),
    sources: [...h.sources].sort(),
  }));
  return {
    http: sorted(out, (h) => `${h.path}\u0000${JSON.stringify(h.headers ?? {})}\u0000${(h.methods ?? []).join(',')}`),
    tcp: new Map([...tcp].map(([k, v]) => [k, [...v].sort()])),
    udp: new Map([...udp].map(([k, v]) => [k, [...v].sort()])),
    sources: [...all].sort(),
  };
}

/** Destination identities this proxy may call by SMI policy. */
export function outboundIdentities(ctx: GenContext, index: SmiIndex): string[] {
  const identity = ctx.proxy.identity;
  ctx.deps.add(idKey(identity));
  const out = new Set<string>();
  for (const tt of index.bySource(identity)) {
    if (tt.spec?.destination?.kind !== 'ServiceAccount') continue;
    if ((tt.spec.sources ?? []).some((s) => s.kind !== 'ServiceAccount')) continue;
    const id = subjectId(tt.spec.destination, tt.metadata.namespace ?? '');
    if (id) out.add(id);
  }
  return [...out].sort();
}

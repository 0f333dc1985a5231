/**
 * HTTPRoute and GRPCRoute filters as FSM's gateway config holds them
 * (fgw.HTTPRouteFilter / GRPCRouteFilter). Header names are written in lower
 * case: Pipy keeps request and response header names in lower case, and
 * FSM's scripts look them up as written, so "X-Foo" would neither match nor
 * be replaced; the Gateway API compares header names case-insensitively.
 * A RequestRedirect without statusCode gets the API's default, 302 (FSM's
 * script redirects only when the config has one).
 */
import type { HeaderModifier, HTTPRouteFilter, PathModifier } from '../../model/gateway-types.js';
import type { MeshObject } from '../../model/types.js';
import type { GatewayContext } from './context.js';
import { withoutTrailingSlash } from './paths.js';
import { backendName, resolveBackendRef, type BackendTarget, type RefFailure } from './references.js';

export interface ConvertedFilter {
  /** The fgw filter, or undefined when the filter cannot be honoured. */
  readonly filter?: Record<string, unknown>;
  /** The mirror backend to add to the config's Services. */
  readonly mirror?: BackendTarget;
  /** Why the filter could not be honoured (ResolvedRefs=False). */
  readonly failure?: RefFailure;
}

function headerModifier(m: HeaderModifier): Record<string, unknown> {
  const headers = (list: { name: string; value: string }[] | undefined) => (list && list.length > 0 ? list.map((h) => ({ Name: h.name.toLowerCase(), Value: h.value })) : undefined);
  const set = headers(m.set);
  const add = headers(m.add);
  const remove = m.remove && m.remove.length > 0 ? m.remove.map((h) => h.toLowerCase()) : undefined;
  return { ...(set ? { Set: set } : {}), ...(add ? { Add: add } : {}), ...(remove ? { Remove: remove } : {}) };
}

function pathModifier(p: PathModifier): Record<string, unknown> {
  return {
    Type: p.type,
    ...(p.replaceFullPath !== undefined ? { ReplaceFullPath: p.replaceFullPath } : {}),
    ...(p.replacePrefixMatch !== undefined ? { ReplacePrefixMatch: withoutTrailingSlash(p.replacePrefixMatch) } : {}),
  };
}

export function convertFilter(ctx: GatewayContext, route: MeshObject, f: HTTPRouteFilter): ConvertedFilter {
  switch (f.type) {
    case 'RequestHeaderModifier':
      return { filter: { Type: f.type, RequestHeaderModifier: headerModifier(f.requestHeaderModifier ?? {}) } };
    case 'ResponseHeaderModifier':
      return { filter: { Type: f.type, ResponseHeaderModifier: headerModifier(f.responseHeaderModifier ?? {}) } };
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      return {
        filter: {
          Type: f.type,
          RequestRedirect: {
            ...(r.scheme !== undefined ? { Scheme: r.scheme } : {}),
            ...(r.hostname !== undefined ? { Hostname: r.hostname } : {}),
            ...(r.path ? { Path: pathModifier(r.path) } : {}),
            ...(r.port !== undefined ? { Port: r.port } : {}),
            StatusCode: r.statusCode ?? 302,
          },
        },
      };
    }
    case 'URLRewrite': {
      const u = f.urlRewrite ?? {};
      return { filter: { Type: f.type, UrlRewrite: { ...(u.hostname !== undefined ? { Hostname: u.hostname } : {}), ...(u.path ? { Path: pathModifier(u.path) } : {}) } } };
    }
    case 'RequestMirror': {
      const ref = f.requestMirror?.backendRef;
      if (!ref) return { failure: { reason: 'BackendNotFound', message: 'RequestMirror without backendRef' } };
      const r = resolveBackendRef(ctx, route, ref);
      if (!r.ok) return { failure: { reason: r.failure.reason, message: `RequestMirror: ${r.failure.message}` } };
      return { filter: { Type: f.type, RequestMirror: { BackendService: backendName(r.value) } }, mirror: r.value };
    }
    default:
      return { failure: { reason: 'InvalidKind', message: `filter ${f.type}${f.extensionRef ? ` (${f.extensionRef.group}/${f.extensionRef.kind} ${f.extensionRef.name})` : ''} is not supported` } };
  }
}

/**
 * RequestRedirect filters as one listener serves them. The Gateway API
 * derives what a redirect leaves out: the scheme is the request's, the port
 * the filter's, else the well-known port of the filter's scheme, else the
 * listener's; the path is kept. FSM 1.3's filter/request-redirect.js derives
 * them differently, so the config spells out each part its script would get
 * wrong:
 *
 * - Path: the script calls the path modifier unconditionally and fails
 *   without one; a kept path is "replace the matched prefix with itself". (A
 *   regular-expression match has no prefix to name; its redirect keeps
 *   failing in FSM's script.)
 * - Scheme: the script falls back to the request head's `scheme`, which Pipy
 *   sets for HTTP/2 only, so an HTTP/1.1 request on an HTTPS listener was
 *   redirected to http://. The listener's scheme is written when the filter
 *   has none.
 * - Port: without one the script keeps the port of the Host header (the
 *   listener's port, as the client reached it) or, with the filter's
 *   hostname, none (the scheme's well-known port). The derived port is
 *   written unless that fallback gives the same port, so a Location carries
 *   no :80 for http or :443 for https where it can be avoided, as the
 *   specification asks.
 *
 * Redirects on backendRefs (the script reads those first) are served the
 * same way.
 */

const WELL_KNOWN_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/** The listener a match is served on: its port and protocol (HTTP or HTTPS). */
export interface RedirectListener {
  readonly port: number;
  readonly protocol: string;
}

type Fields = Record<string, unknown>;

function servedRedirect(r: Fields, matchPath: Fields | undefined, listener: RedirectListener): Fields {
  const filterScheme = r['Scheme'] as string | undefined;
  const scheme = filterScheme ?? (listener.protocol === 'HTTPS' ? 'https' : 'http');
  const port = (r['Port'] as number | undefined) ?? (filterScheme ? WELL_KNOWN_PORTS[filterScheme] : listener.port);
  const fallback = r['Hostname'] !== undefined || port === listener.port;
  const keepsPort = port === WELL_KNOWN_PORTS[scheme] && fallback;
  const path = r['Path'] ?? (matchPath && matchPath['Type'] !== 'Regex' ? { Type: 'ReplacePrefixMatch', ReplacePrefixMatch: matchPath['Path'] } : undefined);
  const out: Fields = { ...r, Scheme: scheme };
  delete out['Port'];
  if (port !== undefined && !keepsPort) out['Port'] = port;
  if (path) out['Path'] = path;
  return out;
}

function servedFilters(filters: unknown, matchPath: Fields | undefined, listener: RedirectListener): unknown {
  if (!Array.isArray(filters)) return filters;
  return filters.map((f: Fields) => {
    const r = f['RequestRedirect'] as Fields | undefined;
    return r ? { ...f, RequestRedirect: servedRedirect(r, matchPath, listener) } : f;
  });
}

/** An HTTP match of the config with its redirects (rule and backend ones) completed for `listener`. */
export function servedOnListener(match: Fields, listener: RedirectListener): Fields {
  const path = match['Path'] as Fields | undefined;
  const out: Fields = { ...match };
  if (match['Filters'] !== undefined) out['Filters'] = servedFilters(match['Filters'], path, listener);
  const backends = match['BackendService'] as Record<string, Fields> | undefined;
  if (backends) {
    out['BackendService'] = Object.fromEntries(
      Object.entries(backends).map(([name, b]) => [name, b['Filters'] !== undefined ? { ...b, Filters: servedFilters(b['Filters'], path, listener) } : b]),
    );
  }
  return out;
}

/**
 * Hostnames as the Gateway API defines them: a leading `*.` label is a
 * suffix match of one or more labels (`*.example.com` matches
 * `a.example.com` and `a.b.example.com`, not `example.com`). FSM 1.3 matched
 * a wildcard against exactly one label (gobwas/glob with `.` separators);
 * the specification is followed here.
 */

/** `*` stands for "any host": a listener without hostname and a route without hostnames. */
export const ANY_HOST = '*';

const isWildcard = (h: string): boolean => h.startsWith('*.');

/** Whether `host` (exact or wildcard) lies within `pattern` (exact, wildcard or `*`). */
export function hostnameWithin(host: string, pattern: string): boolean {
  if (pattern === ANY_HOST || host === pattern) return true;
  if (!isWildcard(pattern)) return false;
  const suffix = pattern.slice(1); // ".example.com"
  return host.length > suffix.length && host.endsWith(suffix) && host !== ANY_HOST;
}

/**
 * The hostnames a route serves on a listener: the intersection of the
 * listener's hostname (none: any) and the route's hostnames (none: any).
 * Where one side is a wildcard covering the other, the more specific name is
 * kept. An empty result means the route does not attach to the listener
 * (NoMatchingListenerHostname). Sorted.
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[] | undefined): string[] {
  const listener = listenerHostname ?? ANY_HOST;
  if (!routeHostnames || routeHostnames.length === 0) return [listener];
  const out = new Set<string>();
  for (const raw of routeHostnames) {
    const h = raw.toLowerCase();
    if (hostnameWithin(h, listener)) out.add(h);
    else if (hostnameWithin(listener, h)) out.add(listener);
  }
  return [...out].sort();
}

/**
 * Order of a port's host keys in the config: exact names, then wildcards from
 * the most specific (longest suffix), then `*`. FSM's scripts try exact names
 * first and then wildcards in the order the config lists them, so this order
 * makes the most specific wildcard win, as the Gateway API requires (FSM's
 * controller wrote them in Go's sorted-key order, where `*` shadows every
 * wildcard).
 */
export function compareHostKeys(a: string, b: string): number {
  const rank = (h: string) => (h === ANY_HOST ? 2 : isWildcard(h) ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1 && a.length !== b.length) return b.length - a.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

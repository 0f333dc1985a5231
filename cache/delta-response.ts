import type { Resource } from './resource.js';
import type { ResourceView } from './resource-view.js';
import { compareNames } from './snapshot.js';
import type { DeltaResponse, Subscription, WatchRequest } from './types.js';

/**
 * Computes an incremental answer for one delta stream from per-resource
 * versions (content hashes), or `undefined` when nothing changed and
 * `respondIfUnchanged` is not set (the watch stays pending).
 *
 * - Sent: every subscribed (wildcard: every) existing resource whose version
 *   differs from `sub.returned`, including names the server marked "" after a
 *   wildcard client unsubscribed them.
 * - Removed: names in `sub.returned` that no longer exist or are no longer
 *   subscribed (neither named nor covered by wildcard).
 * - A named resource that does not exist and that the client does not hold is
 *   neither sent nor removed; the watch waits for it.
 *
 * `onlyNames`: a caller that knows the watch was not due before and that
 * only these names changed since may pass them; only they are examined,
 * which gives the same answer without walking every resource.
 */
export function computeDeltaResponse(
  view: ResourceView,
  req: WatchRequest,
  sub: Subscription,
  onlyNames?: Iterable<string>,
): DeltaResponse | undefined {
  const resources: Resource[] = [];
  const removed: string[] = [];
  if (onlyNames) {
    for (const name of onlyNames) {
      const r = view.resources.get(name);
      const inScope = sub.wildcard || sub.names.has(name);
      if (r && inScope && sub.returned.get(name) !== r.version) resources.push(r);
      else if (sub.returned.has(name) && (!r || !inScope)) removed.push(name);
    }
    resources.sort((a, b) => compareNames(a.name, b.name));
  } else if (sub.wildcard) {
    for (const r of view.sorted()) if (sub.returned.get(r.name) !== r.version) resources.push(r);
  } else {
    for (const name of sub.names) {
      const r = view.resources.get(name);
      if (r && sub.returned.get(name) !== r.version) resources.push(r);
    }
    resources.sort((a, b) => compareNames(a.name, b.name));
  }

  if (!onlyNames) {
    for (const name of sub.returned.keys()) {
      if (!view.resources.has(name) || !(sub.wildcard || sub.names.has(name))) removed.push(name);
    }
  }
  removed.sort(compareNames);

  if (resources.length === 0 && removed.length === 0 && req.respondIfUnchanged !== true) return undefined;

  const returned = new Map(sub.returned);
  for (const name of removed) returned.delete(name);
  for (const r of resources) returned.set(r.name, r.version);
  return Object.freeze({
    typeUrl: view.typeUrl,
    systemVersion: view.version,
    resources: Object.freeze(resources),
    removed: Object.freeze(removed),
    returned,
  });
}

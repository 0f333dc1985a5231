import type { Resource } from './resource.js';
import type { ResourceView } from './resource-view.js';
import { compareNames } from './snapshot.js';
import { requiresFullStateInSotw, type SotwResponse, type Subscription, type WatchRequest } from './types.js';

/**
 * Decides whether a state-of-the-world watch is due against `view` and, if
 * so, returns its (possibly shared) response; `undefined` means "keep the
 * watch pending". Rules:
 *
 * - Due when a subscribed resource that exists is not in `sub.returned` with
 *   its current version (new subscription or changed content), or
 *   `respondIfUnchanged` is set.
 * - LDS/CDS (full state) are also due when the client holds a name that no
 *   longer exists (absence means deletion), and, like wildcard subscriptions
 *   of other types, when the client holds nothing on this stream and its
 *   version differs (first request, reconnect): it must learn the current
 *   state even if that state is empty.
 * - A NACK leaves `returned` as sent and passes the rejected version, so none
 *   of the above holds until content changes: a rejected version is parked.
 * - A changed type version alone does not wake a watch whose subscribed
 *   resources are unchanged, and a named resource that does not exist is not
 *   sent: the watch stays pending until it appears (no request/response loop).
 *
 * Content: full-state types (and `respondIfUnchanged`) carry every subscribed
 * existing resource; other types carry only the changed/new ones. `returned`
 * is what the client then holds: every subscribed existing resource at its
 * current version, so it depends only on the subscription shape.
 */
export function computeSotwResponse(view: ResourceView, req: WatchRequest, sub: Subscription): SotwResponse | undefined {
  // Wildcard watches holding a `returned` map this module issued (and that
  // therefore never changes) are decided once per view: fan-out to thousands
  // of nodes that hold the same response costs a lookup each.
  if (sub.wildcard && issued.has(sub.returned)) {
    const key = `${req.respondIfUnchanged === true ? 1 : 0}:${req.versionInfo}`;
    let decided = false;
    const res = view.decision(sub.returned, key, () => {
      decided = true;
      return decide(view, req, sub);
    });
    if (decided) sotwDecisions.decided++;
    else sotwDecisions.shared++;
    return res;
  }
  sotwDecisions.decided++;
  return decide(view, req, sub);
}

/**
 * How state-of-the-world watches were decided: `shared` reused the decision
 * made for another watch holding the same issued state; `decided` walked the
 * subscription. Exposed so benchmarks and tests can show the shared path is
 * the one real streams take.
 */
export const sotwDecisions = { shared: 0, decided: 0 };

/** `returned` maps of responses built here; immutable by the SotwResponse contract. */
const issued = new WeakSet<ReadonlyMap<string, string>>();

function decide(view: ResourceView, req: WatchRequest, sub: Subscription): SotwResponse | undefined {
  const fullState = requiresFullStateInSotw(view.typeUrl);
  const present = subscribedPresent(view, sub);
  const changed = present.filter((r) => sub.returned.get(r.name) !== r.version);

  const due =
    req.respondIfUnchanged === true ||
    changed.length > 0 ||
    (fullState && holdsVanished(view, sub)) ||
    ((fullState || sub.wildcard) && sub.returned.size === 0 && req.versionInfo !== view.version);
  if (!due) return undefined;

  const sendAll = fullState || req.respondIfUnchanged === true || changed.length === present.length;
  const sent = sendAll ? present : changed;
  const shape = sub.wildcard ? '*' : `=${present.map((r) => r.name).join('\0')}`;
  const key = sendAll ? shape : `${shape}|${sent.map((r) => r.name).join('\0')}`;
  return view.memo(key, () => {
    const returned = sub.wildcard ? view.versions() : new Map(present.map((r) => [r.name, r.version]));
    issued.add(returned);
    return Object.freeze({ typeUrl: view.typeUrl, version: view.version, resources: Object.freeze([...sent]), returned });
  });
}

/** Subscribed resources that exist, sorted by name (wildcard: all of them). */
function subscribedPresent(view: ResourceView, sub: Subscription): readonly Resource[] {
  if (sub.wildcard) return view.sorted();
  const out: Resource[] = [];
  for (const name of sub.names) {
    const r = view.resources.get(name);
    if (r) out.push(r);
  }
  return out.sort((a, b) => compareNames(a.name, b.name));
}

/** True when the client holds a resource that is no longer subscribed-and-existing. */
function holdsVanished(view: ResourceView, sub: Subscription): boolean {
  for (const name of sub.returned.keys()) {
    if (!view.resources.has(name) || !(sub.wildcard || sub.names.has(name))) return true;
  }
  return false;
}

import type { Subscription } from '../cache/types.js';

/**
 * Per-stream, per-type subscription state, owned and mutated only by the
 * stream state machine; caches see it through the read-only `Subscription`.
 *
 * Wildcard rules (xDS spec, "How the client specifies what resources to return"):
 * - explicit: the name "*" (SotW: present in the latest request; delta:
 *   subscribed and not since unsubscribed);
 * - legacy: the first request for a type names nothing. Where legacy wildcard
 *   is allowed, the subscription then stays wildcard through later empty
 *   requests until the client names a resource. Where it is not (gRPC
 *   clients, VHDS), an empty request means "nothing subscribed".
 */
export interface MutableSubscription extends Subscription {
  /** Records what the client holds after a response was sent. */
  setReturned(returned: ReadonlyMap<string, string>): void;
}

export interface SotwSubscription extends MutableSubscription {
  /** Replaces the subscribed set with the names of a SotW request. */
  setNames(names: readonly string[]): void;
}

export interface DeltaSubscription extends MutableSubscription {
  /** Applies a delta request's subscribe/unsubscribe lists. */
  update(subscribe: readonly string[], unsubscribe: readonly string[]): void;
}

const WILDCARD = '*';

/** Creates the SotW state from the first request of a type. */
export function createSotwSubscription(names: readonly string[], options: { allowLegacyWildcard: boolean }): SotwSubscription {
  let legacy = options.allowLegacyWildcard && names.length === 0;
  let explicit = false;
  let subscribed = new Set<string>();
  // The map the cache returned with the last response, held as is: it is immutable by the
  // SotwResponse contract, and a cache recognises the maps it issued to decide once for every
  // stream holding the same state (see cache/sotw-response.ts). Changed only by replacement.
  let returned: ReadonlyMap<string, string> = new Map();

  const apply = (next: readonly string[]) => {
    if (legacy && next.length > 0) legacy = false;
    explicit = next.includes(WILDCARD);
    subscribed = new Set(next.filter((n) => n !== WILDCARD));
    if (!legacy && !explicit) {
      // A name the client stopped asking for is forgotten, so asking again later resends it.
      const kept = [...returned].filter(([name]) => subscribed.has(name));
      if (kept.length !== returned.size) returned = new Map(kept);
    }
  };
  apply(names);

  return {
    get wildcard() {
      return legacy || explicit;
    },
    get names() {
      return subscribed;
    },
    get returned() {
      return returned;
    },
    setNames: apply,
    setReturned(next) {
      returned = next;
    },
  };
}

/**
 * Creates the delta state from the first request of a type.
 * `initialVersions` (initial_resource_versions) seed `returned`, so a
 * reconnecting client is not sent what it already has.
 */
export function createDeltaSubscription(
  subscribe: readonly string[],
  initialVersions: ReadonlyMap<string, string>,
  options: { allowLegacyWildcard: boolean },
): DeltaSubscription {
  let legacy = options.allowLegacyWildcard && subscribe.length === 0;
  let explicit = false;
  const subscribed = new Set<string>();
  // As for SotW: the cache's map is held as is and copied only when this stream changes it.
  let returned: ReadonlyMap<string, string> = new Map(initialVersions);
  /** Whether `returned` is this stream's own copy (else the cache's, which must not change). */
  let owned = true;
  const edit = (): Map<string, string> => {
    if (!owned) {
      returned = new Map(returned);
      owned = true;
    }
    return returned as Map<string, string>;
  };

  const update = (sub: readonly string[], unsub: readonly string[]) => {
    if (legacy && sub.length > 0) legacy = false;
    for (const name of sub) {
      if (name === WILDCARD) explicit = true;
      else subscribed.add(name);
    }
    for (const name of unsub) {
      if (name === WILDCARD) {
        explicit = false;
        continue;
      }
      subscribed.delete(name);
      if (!returned.has(name)) continue;
      // Still covered by the wildcard: "" forces the cache to resend it or report it removed.
      if (legacy || explicit) edit().set(name, '');
      else edit().delete(name);
    }
  };
  update(subscribe, []);

  return {
    get wildcard() {
      return legacy || explicit;
    },
    get names() {
      return subscribed;
    },
    get returned() {
      return returned;
    },
    update,
    setReturned(next) {
      returned = next;
      owned = false;
    },
  };
}

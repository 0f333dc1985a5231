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
  let returned = new Map<string, string>();

  const apply = (next: readonly string[]) => {
    if (legacy && next.length > 0) legacy = false;
    explicit = next.includes(WILDCARD);
    subscribed = new Set(next.filter((n) => n !== WILDCARD));
    if (!legacy && !explicit) {
      // A name the client stopped asking for is forgotten, so asking again later resends it.
      for (const name of [...returned.keys()]) if (!subscribed.has(name)) returned.delete(name);
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
      returned = new Map(next);
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
  let returned = new Map<string, string>(initialVersions);

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
      if (legacy || explicit) {
        // Still covered by the wildcard: "" forces the cache to resend it or report it removed.
        if (returned.has(name)) returned.set(name, '');
      } else {
        returned.delete(name);
      }
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
      returned = new Map(next);
    },
  };
}

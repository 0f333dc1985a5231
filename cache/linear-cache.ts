import { silentLogger, type Logger } from '../src/shared/logger.js';
import { computeDeltaResponse } from './delta-response.js';
import type { Resource } from './resource.js';
import { createResourceView, type ResourceView } from './resource-view.js';
import { computeSotwResponse } from './sotw-response.js';
import {
  UnknownTypeError,
  type Cancel,
  type ConfigWatcher,
  type DeltaResponse,
  type SotwResponse,
  type Subscription,
  type WatchRequest,
} from './types.js';

export interface LinearCacheOptions {
  readonly initialResources?: Iterable<Resource>;
  /**
   * Prefix of the SotW version_info (e.g. a replica id), so that versions of
   * different replicas or process lifetimes are told apart.
   */
  readonly versionPrefix?: string;
  readonly logger?: Logger;
}

/**
 * One type's resources shared by every node (fleet-wide EDS, for example),
 * with per-resource versions (content hashes). Mutations wake only the
 * watches they affect: watches naming a changed resource, and wildcard
 * watches. Node lifecycle hooks are accepted and ignored (no per-node state).
 */
export interface LinearCache extends ConfigWatcher {
  readonly typeUrl: string;
  /** `${versionPrefix}${n}`, n counting mutations that changed content (starts at 0). */
  version(): string;
  /** Adds or replaces `name`; `resource.name` must equal `name`. Unchanged content is a no-op. */
  updateResource(name: string, resource: Resource): void;
  deleteResource(name: string): void;
  /** Applies upserts, then deletes, as one mutation with one notification pass. */
  updateResources(upserts: Iterable<Resource>, deletes: Iterable<string>): void;
  /** Replaces the whole set; only resources whose version differs (or that vanished) count as changed. */
  setResources(all: Iterable<Resource>): void;
  /** A copy of the current resources by name. */
  getResources(): ReadonlyMap<string, Resource>;
  numResources(): number;
  /** Pending watches naming `name`, or all pending watches. */
  numWatches(name?: string): number;
  numWildcardWatches(): number;
}

type LinearWatch = {
  readonly id: number;
  readonly req: WatchRequest;
  readonly sub: Subscription;
  /** Watched names; undefined for wildcard. */
  readonly names: readonly string[] | undefined;
  active: boolean;
} & (
  | { readonly kind: 'sotw'; readonly respond: (res: SotwResponse) => void }
  | { readonly kind: 'delta'; readonly respond: (res: DeltaResponse) => void }
);

const NO_OP: Cancel = () => {};

export function createLinearCache(typeUrl: string, options: LinearCacheOptions = {}): LinearCache {
  const logger = options.logger ?? silentLogger;
  const prefix = options.versionPrefix ?? '';
  const resources = new Map<string, Resource>();
  const all = new Map<number, LinearWatch>();
  const byName = new Map<string, Set<LinearWatch>>();
  const wildcard = new Set<LinearWatch>();
  let counter = 0;
  let nextId = 1;
  // Built over the live map; dropped on every mutation so a view never sees two states.
  let view: ResourceView | undefined;

  const currentView = (): ResourceView => (view ??= createResourceView(typeUrl, `${prefix}${counter}`, resources));

  const checkResource = (r: Resource): void => {
    if (r.typeUrl !== typeUrl) throw new Error(`linear cache for ${typeUrl} cannot hold ${r.typeUrl} resource ${r.name}`);
  };

  /** `changed`: names changed since `w` was last found not due (see mayBeDue), when known. */
  const evaluate = (w: LinearWatch, changed?: ReadonlySet<string>): SotwResponse | DeltaResponse | undefined =>
    w.kind === 'sotw'
      ? computeSotwResponse(currentView(), w.req, w.sub)
      : computeDeltaResponse(currentView(), w.req, w.sub, changed && incremental(w) ? changed : undefined);

  const remove = (w: LinearWatch): void => {
    if (!w.active) return;
    w.active = false;
    all.delete(w.id);
    if (!w.names) {
      wildcard.delete(w);
      return;
    }
    for (const name of w.names) {
      const set = byName.get(name);
      set?.delete(w);
      if (set?.size === 0) byName.delete(name);
    }
  };

  const deliver = (w: LinearWatch, res: SotwResponse | DeltaResponse): void => {
    remove(w);
    if (w.kind === 'sotw') w.respond(res as SotwResponse);
    else w.respond(res as DeltaResponse);
  };

  /**
   * Whether `changed` can make a pending wildcard watch due. A pending watch
   * was not due before this mutation and everything outside `changed` is as
   * it was, so looking at `changed` is enough, except for a watch holding
   * nothing (it also answers a bare version change) or forced to answer.
   */
  const incremental = (w: LinearWatch): boolean => w.sub.returned.size > 0 && w.req.respondIfUnchanged !== true;

  const mayBeDue = (w: LinearWatch, changed: ReadonlySet<string>): boolean => {
    if (w.names || !incremental(w)) return true;
    for (const name of changed) {
      const r = resources.get(name);
      if (r ? w.sub.returned.get(name) !== r.version : w.sub.returned.has(name)) return true;
    }
    return false;
  };

  const notify = (changed: ReadonlySet<string>): void => {
    const affected = new Set(wildcard);
    for (const name of changed) for (const w of byName.get(name) ?? []) affected.add(w);
    for (const w of affected) {
      if (!w.active || !mayBeDue(w, changed)) continue;
      const res = evaluate(w, changed);
      if (!res) continue;
      try {
        deliver(w, res);
      } catch (err) {
        logger.error('watch callback threw', { typeUrl, error: String(err) });
      }
    }
  };

  const apply = (upserts: Iterable<Resource>, deletes: Iterable<string>): void => {
    const changed = new Set<string>();
    for (const r of upserts) {
      checkResource(r);
      const old = resources.get(r.name);
      // Same version means same content: keep the object already shared (and maybe encoded).
      if (old !== undefined && old.version === r.version) continue;
      resources.set(r.name, r);
      changed.add(r.name);
    }
    for (const name of deletes) if (resources.delete(name)) changed.add(name);
    if (changed.size === 0) return;
    counter++;
    view = undefined;
    logger.debug('linear cache changed', { typeUrl, version: `${prefix}${counter}`, changed: changed.size });
    notify(changed);
  };

  const watch = (kind: 'sotw' | 'delta', req: WatchRequest, sub: Subscription, respond: (res: never) => void): Cancel => {
    if (req.typeUrl !== typeUrl) throw new UnknownTypeError(req.typeUrl, `this linear cache serves ${typeUrl}`);
    const w = { id: nextId++, kind, req, sub, respond, names: sub.wildcard ? undefined : [...sub.names], active: true } as LinearWatch;
    const res = evaluate(w);
    if (res) {
      deliver(w, res);
      return NO_OP;
    }
    all.set(w.id, w);
    if (!w.names) wildcard.add(w);
    else {
      for (const name of w.names) {
        let set = byName.get(name);
        if (!set) byName.set(name, (set = new Set()));
        set.add(w);
      }
    }
    return () => remove(w);
  };

  if (options.initialResources) {
    for (const r of options.initialResources) {
      checkResource(r);
      resources.set(r.name, r);
    }
  }

  return {
    typeUrl,
    version: () => `${prefix}${counter}`,
    updateResource(name, resource) {
      if (resource.name !== name) throw new Error(`resource ${resource.name} given under name ${name}`);
      apply([resource], []);
    },
    deleteResource: (name) => apply([], [name]),
    updateResources: (upserts, deletes) => apply(upserts, deletes),
    setResources(next) {
      const names = new Set<string>();
      const list: Resource[] = [];
      for (const r of next) {
        names.add(r.name);
        list.push(r);
      }
      apply(list, [...resources.keys()].filter((n) => !names.has(n)));
    },
    getResources: () => new Map(resources),
    numResources: () => resources.size,
    numWatches: (name) => (name === undefined ? all.size : byName.get(name)?.size ?? 0),
    numWildcardWatches: () => wildcard.size,

    createWatch: (req, sub, respond) => watch('sotw', req, sub, respond),
    createDeltaWatch: (req, sub, respond) => watch('delta', req, sub, respond),
    streamOpened: () => {},
    streamClosed: () => {},
    recordProgress: () => {},
  };
}

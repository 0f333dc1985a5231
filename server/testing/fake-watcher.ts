import { createResource, type Resource } from '../../cache/resource.js';
import {
  UnknownTypeError,
  type Cancel,
  type ConfigWatcher,
  type DeltaResponse,
  type NodeInfo,
  type SotwResponse,
  type Subscription,
  type TypeProgress,
  type WatchRequest,
} from '../../cache/types.js';

/** A resource for FakeWatcher.set: a real Resource, or a name (with optional bytes; default `<name>@<version>`). */
export type FakeResource = Resource | { readonly name: string; readonly bytes?: Uint8Array };

/**
 * A small in-memory ConfigWatcher for testing what sits around a cache: the
 * xDS server, its callbacks and authorizers, a client. One data set serves
 * every node; the test sets the SotW version of each type, and delta
 * versions are the resources' versions. It records every call, so a test can
 * assert on what the server asked and reported.
 *
 * A type never `set` is not served: watches of it throw UnknownTypeError, as
 * a cache's do. Equal content (version and names) is answered with the same
 * response object, so the server shares encodings as it does with caches.
 */
export interface FakeWatcher extends ConfigWatcher {
  /** Replaces the resources of a type and answers the pending watches it makes due. */
  set(typeUrl: string, version: string, resources: readonly FakeResource[]): void;
  /** Pending (unanswered) watches of a type, or of every type. */
  pending(typeUrl?: string): number;
  /** Every watch request, in order. */
  readonly requests: readonly WatchRequest[];
  /** The subscription as it was when each watch was created (copied: the server changes its own). */
  readonly subs: ReadonlyArray<{ typeUrl: string; wildcard: boolean; names: string[]; returned: Record<string, string> }>;
  /** Every recordProgress call. */
  readonly progress: ReadonlyArray<{ node: NodeInfo; event: string; progress: TypeProgress }>;
  /** Every streamOpened call. */
  readonly opened: ReadonlyArray<{ streamId: number; node: NodeInfo }>;
  /** Every streamClosed call. */
  readonly closed: ReadonlyArray<{ streamId: number; node: NodeInfo }>;
}

/** Creates a FakeWatcher serving no type until `set`. */
export function createFakeWatcher(): FakeWatcher {
  return new InMemoryFakeWatcher();
}

interface TypeData {
  version: string;
  resources: Map<string, Resource>;
  /** Same content, same response object (so the server can share bytes). */
  memo: Map<string, SotwResponse>;
}

interface Watch {
  kind: 'sotw' | 'delta';
  req: WatchRequest;
  sub: Subscription;
  respond: (res: never) => void;
}

class InMemoryFakeWatcher implements FakeWatcher {
  readonly types = new Map<string, TypeData>();
  readonly watches = new Set<Watch>();
  readonly requests: WatchRequest[] = [];
  readonly subs: Array<{ typeUrl: string; wildcard: boolean; names: string[]; returned: Record<string, string> }> = [];
  readonly progress: Array<{ node: NodeInfo; event: string; progress: TypeProgress }> = [];
  readonly opened: Array<{ streamId: number; node: NodeInfo }> = [];
  readonly closed: Array<{ streamId: number; node: NodeInfo }> = [];

  set(typeUrl: string, version: string, resources: readonly FakeResource[]): void {
    const map = new Map<string, Resource>();
    for (const r of resources) {
      const res = 'any' in r ? r : createResource({ typeUrl, name: r.name, bytes: r.bytes ?? new TextEncoder().encode(`${r.name}@${version}`) });
      map.set(res.name, res);
    }
    this.types.set(typeUrl, { version, resources: map, memo: new Map() });
    for (const w of [...this.watches]) {
      if (w.req.typeUrl !== typeUrl) continue;
      const res = w.kind === 'sotw' ? this.sotw(w.req, w.sub) : this.delta(w.req, w.sub);
      if (res) {
        this.watches.delete(w);
        (w.respond as (r: unknown) => void)(res);
      }
    }
  }

  pending(typeUrl?: string): number {
    let n = 0;
    for (const w of this.watches) if (typeUrl === undefined || w.req.typeUrl === typeUrl) n++;
    return n;
  }

  createWatch(req: WatchRequest, sub: Subscription, respond: (res: SotwResponse) => void): Cancel {
    return this.watch('sotw', req, sub, respond);
  }

  createDeltaWatch(req: WatchRequest, sub: Subscription, respond: (res: DeltaResponse) => void): Cancel {
    return this.watch('delta', req, sub, respond);
  }

  streamOpened(streamId: number, node: NodeInfo): void {
    this.opened.push({ streamId, node });
  }

  streamClosed(streamId: number, node: NodeInfo): void {
    this.closed.push({ streamId, node });
  }

  recordProgress(node: NodeInfo, event: 'request' | 'sent' | 'ack' | 'nack', progress: TypeProgress): void {
    this.progress.push({ node, event, progress });
  }

  private watch(kind: 'sotw' | 'delta', req: WatchRequest, sub: Subscription, respond: (res: never) => void): Cancel {
    this.requests.push(req);
    this.subs.push({ typeUrl: req.typeUrl, wildcard: sub.wildcard, names: [...sub.names].sort(), returned: Object.fromEntries(sub.returned) });
    if (!this.types.has(req.typeUrl)) throw new UnknownTypeError(req.typeUrl);
    const res = kind === 'sotw' ? this.sotw(req, sub) : this.delta(req, sub);
    if (res) {
      (respond as (r: unknown) => void)(res);
      return () => {};
    }
    const w: Watch = { kind, req, sub, respond };
    this.watches.add(w);
    return () => this.watches.delete(w);
  }

  private sotw(req: WatchRequest, sub: Subscription): SotwResponse | undefined {
    const data = this.types.get(req.typeUrl);
    if (!data) return undefined;
    if (data.version === req.versionInfo && !req.respondIfUnchanged) return undefined;
    const selected = [...data.resources.values()].filter((r) => sub.wildcard || sub.names.has(r.name));
    const key = `${data.version}|${selected.map((r) => r.name).join(',')}`;
    let res = data.memo.get(key);
    if (!res) {
      res = { typeUrl: req.typeUrl, version: data.version, resources: selected, returned: new Map(selected.map((r) => [r.name, data.version])) };
      data.memo.set(key, res);
    }
    return res;
  }

  private delta(req: WatchRequest, sub: Subscription): DeltaResponse | undefined {
    const data = this.types.get(req.typeUrl);
    if (!data) return undefined;
    const returned = new Map(sub.returned);
    const changed: Resource[] = [];
    const removed: string[] = [];
    for (const r of data.resources.values()) {
      if (!sub.wildcard && !sub.names.has(r.name)) continue;
      if (returned.get(r.name) !== r.version) {
        changed.push(r);
        returned.set(r.name, r.version);
      }
    }
    for (const name of [...returned.keys()]) {
      const wanted = sub.wildcard || sub.names.has(name);
      if (!data.resources.has(name) || !wanted) {
        removed.push(name);
        returned.delete(name);
      }
    }
    if (changed.length === 0 && removed.length === 0 && !req.respondIfUnchanged) return undefined;
    return { typeUrl: req.typeUrl, systemVersion: data.version, resources: changed, removed, returned };
  }
}

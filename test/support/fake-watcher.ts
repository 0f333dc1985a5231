import type {
  Cancel,
  ConfigWatcher,
  DeltaResponse,
  NodeInfo,
  SotwResponse,
  Subscription,
  TypeProgress,
  WatchRequest,
} from '../../cache/types.js';
import { createResource, type Resource } from '../../cache/resource.js';

/** An error shaped like the cache's UnknownTypeError (matched by name). */
class FakeUnknownTypeError extends Error {
  override readonly name = 'UnknownTypeError';
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

/**
 * A small in-memory ConfigWatcher for server tests: one data set for every
 * node, SotW versions per type set by the test, delta versions per resource.
 * It records every call so tests can assert on what the server asked.
 */
export class FakeWatcher implements ConfigWatcher {
  readonly types = new Map<string, TypeData>();
  readonly watches = new Set<Watch>();
  readonly requests: WatchRequest[] = [];
  /** The subscription as it was when each watch was created (copied: the server mutates its own). */
  readonly subs: Array<{ typeUrl: string; wildcard: boolean; names: string[]; returned: Record<string, string> }> = [];
  readonly progress: Array<{ node: NodeInfo; event: string; progress: TypeProgress }> = [];
  readonly opened: Array<{ streamId: number; node: NodeInfo }> = [];
  readonly closed: Array<{ streamId: number; node: NodeInfo }> = [];

  /** Replaces the resources of a type and answers the watches it makes due. */
  set(typeUrl: string, version: string, resources: ReadonlyArray<{ name: string; bytes?: Uint8Array } | Resource>): void {
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

  /** Pending watches of a type. */
  pending(typeUrl: string): number {
    let n = 0;
    for (const w of this.watches) if (w.req.typeUrl === typeUrl) n++;
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
    if (!this.types.has(req.typeUrl)) throw new FakeUnknownTypeError(`type ${req.typeUrl} is not served by this cache`);
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

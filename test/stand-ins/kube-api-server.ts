/**
 * A STAND-IN for a Kubernetes API server (there is no kube-apiserver on these
 * machines; see /work/shared/reference/environment.md). Plain HTTP on
 * 127.0.0.1:<port 0>, speaking the real REST and list/watch wire protocol
 * closely enough for @kubernetes/client-node and the project's Kubernetes
 * source:
 *
 * - LIST `/api/v1[/namespaces/<ns>]/<plural>` and `/apis/<group>/<version>/...`
 *   answering `{kind: <Kind>List, apiVersion, metadata: {resourceVersion,
 *   continue?, remainingItemCount?}, items}`, paged with `limit`/`continue`
 *   from a consistent snapshot (a continue token older than a compaction gets
 *   410 Expired). Items of built-in types carry no apiVersion/kind, as on a
 *   real server.
 * - GET one object, POST (409 AlreadyExists), PUT (409 Conflict on a stale
 *   resourceVersion), PATCH (merge, strategic-merge treated as merge, JSON
 *   patch), DELETE, and the `/status` subresource.
 * - `watch=true`: a chunked stream of newline-delimited `{type, object}` from
 *   `resourceVersion` (history replay, then live), BOOKMARK events when
 *   `allowWatchBookmarks=true` (on demand or periodically), `timeoutSeconds`,
 *   and for a compacted resourceVersion either an ERROR event carrying a 410
 *   Status (what a real server's watch cache does) or an HTTP 410.
 * - Errors as `Status` objects; unknown resource types get 404 (a CRD that is
 *   not installed).
 * - Discovery (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) for clients that
 *   resolve plurals.
 *
 * - Mutating admission on CREATE through the HTTP API (kube-api-admission.ts):
 *   MutatingWebhookConfigurations are called over HTTPS with their caBundle,
 *   their JSON patches applied; `dryRun=All` admits without storing.
 * - Optimistic concurrency: a PUT with a stale resourceVersion is 409 Conflict.
 * - The garbage collector: deleting an object deletes, shortly after, every
 *   object whose ownerReferences name its uid (background propagation).
 * - Per-client partitions: requests carrying a given bearer token can be
 *   made to fail as if the API server were unreachable (`partition`).
 *
 * Simplifications: label selectors support equality/existence terms only,
 * field selectors only metadata.name/namespace; a watch with a selector sees
 * the events of matching objects (no synthetic DELETED when an object stops
 * matching); no admission, defaulting, finalizers or generation bookkeeping.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import {
  StandInStatusError,
  clone,
  createKubeApiStore,
  jsonPatch,
  matchesFieldSelector,
  matchesLabelSelector,
  mergePatch,
  resourceId,
  type HistoryEntry,
  type KubeApiStore,
  type KubeObject,
  type StandInResource,
} from './kube-api-store.js';

import { builtinResources, decodeToken, discover, isBuiltin, present, readJson, sendError, sendJson, statusObject, withoutTypeMeta } from './kube-api-wire.js';
import { createAdmission } from './kube-api-admission.js';

export type { KubeObject, StandInResource } from './kube-api-store.js';
export type { CreateHook, DownMode, KubeApiStandIn, KubeApiStandInOptions, RecordedRequest } from './kube-api-types.js';
import type { CreateHook, DownMode, KubeApiStandIn, KubeApiStandInOptions, RecordedRequest } from './kube-api-types.js';
export { builtinResources } from './kube-api-wire.js';


interface OpenWatch {
  readonly res: http.ServerResponse;
  readonly resource: StandInResource;
  readonly bookmarks: boolean;
  readonly authorization: string | undefined;
  frozen: boolean;
  unsubscribe: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Route {
  readonly resource: StandInResource;
  readonly id: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

interface Snapshot {
  readonly rv: number;
  readonly items: KubeObject[];
}

export function createKubeApiStandIn(options: KubeApiStandInOptions = {}): KubeApiStandIn {
  const store = createKubeApiStore(options.resources ?? builtinResources);
  const sockets = new Set<Socket>();
  const watches = new Set<OpenWatch>();
  const hooks = new Map<string, Set<CreateHook>>();
  const snapshots = new Map<string, Snapshot>();
  const requests: RecordedRequest[] = [];
  const requestHooks = new Set<(request: RecordedRequest) => void>();
  let port = 0;
  let downMode: DownMode | undefined;
  let silent = false;
  let connections = 0;
  let snapshotSeq = 0;
  /** Names made from generateName are unique per stand-in (a real server draws 5 random characters and answers 409 on a clash). */
  let generated = 0;
  let bookmarkTimer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const partitions = new Set<string>();
  const admission = createAdmission(store, options.resolveWebhookService);
  const collections = new Set<ReturnType<typeof setImmediate>>();

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : http.createServer(onRequest);
  server.on('connection', (socket) => {
    connections++;
    if (downMode === 'reset') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  // ---- HTTP -------------------------------------------------------------------

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const query = Object.fromEntries(url.searchParams);
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, watch, authorization: req.headers.authorization };
    requests.push(recorded);
    for (const hook of [...requestHooks]) hook(recorded);
    if (downMode === 'unavailable') throw new StandInStatusError(503, 'ServiceUnavailable', 'the stand-in is down');
    if (partitions.has(req.headers.authorization ?? '')) {
      req.socket.destroy();
      return;
    }
    if (silent) return;
    const body = req.method === 'GET' ? undefined : await readJson(req);

    const discovery = discover(store, url.pathname);
    if (discovery !== undefined) return sendJson(res, 200, discovery);
    const route = parseRoute(url.pathname);
    if (!route) throw new StandInStatusError(404, 'NotFound', 'the server could not find the requested resource');

    const method = req.method ?? 'GET';
    if (route.name === undefined) {
      if (method === 'GET' && watch) return startWatch(route, url.searchParams, res, req.headers.authorization);
      if (method === 'GET') return sendJson(res, 200, listPage(route, url.searchParams));
      if (method === 'POST') {
        const dryRun = url.searchParams.get('dryRun') === 'All';
        const admitted = await admission.admit(route.resource, withPathNamespace(route, body), route.namespace, dryRun);
        return sendJson(res, 201, dryRun ? present(route.resource, withDefaults(route.resource, admitted)) : createObject(route.resource, admitted));
      }
      throw new StandInStatusError(405, 'MethodNotAllowed', `${method} is not allowed on a collection`);
    }
    const existing = () => {
      const obj = store.get(route.id, route.namespace, route.name ?? '');
      if (!obj) throw new StandInStatusError(404, 'NotFound', `${route.resource.plural} "${route.name}" not found`);
      return obj;
    };
    switch (method) {
      case 'GET':
        return sendJson(res, 200, present(route.resource, existing()));
      case 'PUT': {
        const next = withPathNamespace(route, body);
        // A status PUT replaces only status, but is conditional on the resourceVersion it carries, as on a real server.
        const current = route.subresource === 'status' ? existing() : undefined;
        const replaced = current ? { ...current, status: next['status'], metadata: { ...current.metadata, resourceVersion: (next as KubeObject).metadata?.resourceVersion } } : next;
        return sendJson(res, 200, present(route.resource, store.update(route.id, replaced as KubeObject)));
      }
      case 'PATCH': {
        const current = existing();
        const type = req.headers['content-type'] ?? '';
        const patched = (type.includes('json-patch') ? jsonPatch(current, body) : mergePatch(current, body)) as KubeObject;
        const next = route.subresource === 'status' ? { ...current, status: patched['status'] } : { ...patched, metadata: { ...patched.metadata, resourceVersion: undefined } };
        return sendJson(res, 200, present(route.resource, store.update(route.id, next as KubeObject)));
      }
      case 'DELETE': {
        // DeleteOptions preconditions, as the API server checks them: a mismatch is 409 Conflict.
        const pre = (body as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined)?.preconditions;
        const current = existing();
        if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
          throw new StandInStatusError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
        }
        if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
          throw new StandInStatusError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
        }
        return sendJson(res, 200, present(route.resource, deleteObject(route.id, route.namespace, route.name)));
      }
      default:
        throw new StandInStatusError(405, 'MethodNotAllowed', `${method} is not allowed`);
    }
  }

  function parseRoute(path: string): Route | undefined {
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    let apiVersion: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 3) {
      apiVersion = segs[1] ?? '';
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 4) {
      apiVersion = `${segs[1]}/${segs[2]}`;
      rest = segs.slice(3);
    } else {
      return undefined;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status') {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural = '', name, subresource] = rest;
    const id = resourceId(apiVersion, plural);
    const resource = store.resource(id);
    if (!resource || rest.length > 3 || (namespace !== undefined && !resource.namespaced)) return undefined;
    return { resource, id, namespace, name, subresource };
  }

  // ---- list and watch ---------------------------------------------------------------

  function listPage(route: Route, params: URLSearchParams): unknown {
    const limit = Number(params.get('limit') ?? 0);
    const token = params.get('continue');
    let snapshot: Snapshot;
    let offset = 0;
    let snapshotId: string;
    if (token) {
      const decoded = decodeToken(token);
      const found = decoded && snapshots.get(decoded.id);
      if (!decoded || !found || found.rv < store.compactedBefore) {
        throw new StandInStatusError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      snapshot = found;
      offset = decoded.offset;
      snapshotId = decoded.id;
    } else {
      const items = store
        .list(route.id, route.namespace)
        .filter((o) => matchesLabelSelector(o.metadata.labels, params.get('labelSelector')) && matchesFieldSelector(o, params.get('fieldSelector')));
      snapshot = { rv: store.resourceVersion, items };
      snapshotId = String(++snapshotSeq);
    }
    const end = limit > 0 ? Math.min(snapshot.items.length, offset + limit) : snapshot.items.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(snapshot.rv) };
    if (end < snapshot.items.length) {
      snapshots.set(snapshotId, snapshot);
      metadata['continue'] = Buffer.from(JSON.stringify({ id: snapshotId, offset: end })).toString('base64url');
      metadata['remainingItemCount'] = snapshot.items.length - end;
    } else {
      snapshots.delete(snapshotId);
    }
    const builtin = isBuiltin(route.resource);
    return {
      kind: `${route.resource.kind}List`,
      apiVersion: route.resource.apiVersion,
      metadata,
      items: snapshot.items.slice(offset, end).map((o) => (builtin ? withoutTypeMeta(o) : present(route.resource, o))),
    };
  }

  function startWatch(route: Route, params: URLSearchParams, res: http.ServerResponse, authorization: string | undefined): void {
    const from = params.get('resourceVersion');
    const matches = (o: KubeObject) =>
      (route.namespace === undefined || o.metadata.namespace === route.namespace) &&
      matchesLabelSelector(o.metadata.labels, params.get('labelSelector')) &&
      matchesFieldSelector(o, params.get('fieldSelector'));
    const fromRv = from && from !== '0' ? Number(from) : undefined;
    if (fromRv !== undefined && (!Number.isFinite(fromRv) || fromRv < store.compactedBefore)) {
      const status = statusObject(410, 'Expired', `too old resource version: ${from} (${store.compactedBefore})`);
      if (options.expiredWatch === 'http-status') return sendJson(res, 410, status);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'ERROR', object: status }) + '\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: OpenWatch = {
      res,
      resource: route.resource,
      bookmarks: params.get('allowWatchBookmarks') === 'true',
      authorization,
      frozen: false,
      unsubscribe: () => undefined,
      timer: undefined,
    };
    const send = (type: string, object: unknown) => {
      if (!w.frozen && !res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
    };
    const deliver = (e: HistoryEntry) => {
      if (e.resource === route.id && matches(e.object)) send(e.type, present(route.resource, e.object));
    };
    if (fromRv === undefined) {
      for (const o of store.list(route.id, route.namespace).filter(matches)) send('ADDED', present(route.resource, o));
    } else {
      store.historySince(route.id, fromRv).forEach(deliver);
    }
    w.unsubscribe = store.subscribe(deliver);
    const timeout = Number(params.get('timeoutSeconds') ?? 0);
    if (timeout > 0) w.timer = setTimeout(() => finishWatch(w, 'end'), timeout * 1000);
    watches.add(w);
    res.on('close', () => finishWatch(w, 'none'));
  }

  function finishWatch(w: OpenWatch, how: 'end' | 'destroy' | 'none'): void {
    if (!watches.delete(w)) return;
    w.unsubscribe();
    clearTimeout(w.timer);
    if (how === 'end') w.res.end();
    if (how === 'destroy') w.res.destroy();
  }

  function sendBookmark(w: OpenWatch): boolean {
    if (!w.bookmarks || w.frozen || w.res.writableEnded) return false;
    const object = { kind: w.resource.kind, apiVersion: w.resource.apiVersion, metadata: { resourceVersion: String(store.resourceVersion) } };
    w.res.write(JSON.stringify({ type: 'BOOKMARK', object }) + '\n');
    return true;
  }

  // ---- objects ------------------------------------------------------------------------

  function resourceFor(obj: Record<string, unknown>): StandInResource {
    const r = store.resourceOfKind(String(obj['apiVersion']), String(obj['kind']));
    if (!r) throw new StandInStatusError(404, 'NotFound', `no resource type for ${String(obj['apiVersion'])} ${String(obj['kind'])}`);
    return r;
  }

  /** Name generation and namespace defaulting, as the API server does after admission. */
  function withDefaults(resource: StandInResource, input: KubeObject): KubeObject {
    const obj = clone(input);
    const meta = (obj.metadata ??= { name: '' });
    if (!meta.name && typeof meta['generateName'] === 'string') meta.name = `${meta['generateName']}${(++generated).toString(36).padStart(5, '0')}`;
    if (!meta.name) throw new StandInStatusError(422, 'Invalid', 'metadata.name: Required value');
    if (resource.namespaced && !meta.namespace) meta.namespace = 'default';
    if (!resource.namespaced) delete meta.namespace;
    delete meta.resourceVersion;
    return obj;
  }

  function createObject(resource: StandInResource, input: KubeObject): KubeObject {
    let obj = withDefaults(resource, input);
    for (const hook of hooks.get(resourceId(resource.apiVersion, resource.plural)) ?? []) obj = hook(obj, api) ?? obj;
    return present(resource, store.create(resourceId(resource.apiVersion, resource.plural), obj));
  }

  /** Deletes, then (like the garbage collector, shortly after) every object owned by it. */
  function deleteObject(id: string, namespace: string | undefined, name: string): KubeObject {
    const deleted = store.delete(id, namespace, name);
    const uid = deleted.metadata.uid;
    if (uid) {
      const handle = setImmediate(() => {
        collections.delete(handle);
        if (closed) return;
        for (const r of store.resources()) {
          const rid = resourceId(r.apiVersion, r.plural);
          for (const o of store.list(rid, undefined)) {
            const owners = (o.metadata['ownerReferences'] ?? []) as { uid?: string }[];
            if (owners.some((ref) => ref.uid === uid) && store.get(rid, o.metadata.namespace, o.metadata.name)) deleteObject(rid, o.metadata.namespace, o.metadata.name);
          }
        }
      });
      collections.add(handle);
    }
    return deleted;
  }

  function withPathNamespace(route: Route, body: unknown): KubeObject {
    if (!body || typeof body !== 'object') throw new StandInStatusError(400, 'BadRequest', 'the request body must be a JSON object');
    const obj = clone(body) as KubeObject;
    obj.metadata ??= { name: '' };
    if (route.namespace !== undefined) {
      if (obj.metadata.namespace && obj.metadata.namespace !== route.namespace) {
        throw new StandInStatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = route.namespace;
    }
    if (route.name !== undefined) obj.metadata.name ||= route.name;
    return obj;
  }

  // ---- test controls ----------------------------------------------------------------------

  const api: KubeApiStandIn = {
    get url() {
      return `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    store,
    async start() {
      await listen();
      if (options.bookmarkIntervalMs) bookmarkTimer = setInterval(() => api.bookmark(), options.bookmarkIntervalMs);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(bookmarkTimer);
      for (const c of collections) clearImmediate(c);
      for (const w of [...watches]) finishWatch(w, 'destroy');
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
    kubeConfig(kcOptions = {}) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          options.tls
            ? { name: 'stand-in', server: api.url, caData: Buffer.from(options.tls.cert).toString('base64'), skipTLSVerify: false }
            : { name: 'stand-in', server: api.url, skipTLSVerify: true },
        ],
        users: [{ name: 'stand-in', token: kcOptions.token ?? 'stand-in-token' }],
        contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'stand-in' }],
        currentContext: 'stand-in',
      });
      return kc;
    },
    apply(obj) {
      const r = resourceFor(obj);
      const o = obj as KubeObject;
      const exists = store.get(resourceId(r.apiVersion, r.plural), r.namespaced ? (o.metadata.namespace ?? 'default') : undefined, o.metadata.name);
      return exists ? api.update(obj) : api.create(obj);
    },
    create: (obj) => createObject(resourceFor(obj), obj as KubeObject),
    update(obj) {
      const r = resourceFor(obj);
      const o = clone(obj) as KubeObject;
      if (r.namespaced) o.metadata.namespace ??= 'default';
      delete o.metadata.resourceVersion;
      return present(r, store.update(resourceId(r.apiVersion, r.plural), o));
    },
    setStatus(apiVersion, kind, namespace, name, status) {
      const r = resourceFor({ apiVersion, kind });
      const id = resourceId(r.apiVersion, r.plural);
      const current = store.get(id, namespace, name);
      if (!current) throw new StandInStatusError(404, 'NotFound', `${kind} "${name}" not found`);
      const next = { ...current, status: mergePatch(current['status'], status), metadata: { ...current.metadata, resourceVersion: undefined } };
      return present(r, store.update(id, next as KubeObject));
    },
    delete(apiVersion, kind, namespace, name) {
      const r = resourceFor({ apiVersion, kind });
      return present(r, deleteObject(resourceId(r.apiVersion, r.plural), namespace, name));
    },
    partition(token, on) {
      const header = `Bearer ${token}`;
      if (on) partitions.add(header);
      else partitions.delete(header);
      if (!on) return;
      for (const w of [...watches]) if (w.authorization === header) finishWatch(w, 'destroy');
    },
    get admissionCalls() {
      return admission.calls;
    },
    get(apiVersion, kind, namespace, name) {
      const r = resourceFor({ apiVersion, kind });
      const o = store.get(resourceId(r.apiVersion, r.plural), namespace, name);
      return o && present(r, o);
    },
    list(apiVersion, kind, namespace) {
      const r = resourceFor({ apiVersion, kind });
      return store.list(resourceId(r.apiVersion, r.plural), namespace).map((o) => present(r, o));
    },
    onCreate(resource, hook) {
      const r = resourceFor(resource);
      const id = resourceId(r.apiVersion, r.plural);
      const set = hooks.get(id) ?? new Set();
      set.add(hook);
      hooks.set(id, set);
      return () => set.delete(hook);
    },
    addResource: (resource) => store.addResource(resource),
    removeResource(apiVersion, kind) {
      const r = resourceFor({ apiVersion, kind });
      for (const w of [...watches]) if (w.resource === r) finishWatch(w, 'end');
      store.removeResource(resourceId(r.apiVersion, r.plural));
    },
    compact(rv) {
      store.compact(rv);
      for (const [id, s] of snapshots) if (s.rv < store.compactedBefore) snapshots.delete(id);
    },
    bookmark: () => [...watches].filter(sendBookmark).length,
    freezeWatches() {
      for (const w of watches) w.frozen = true;
      return watches.size;
    },
    silence(on) {
      silent = on;
    },
    dropWatches() {
      const n = watches.size;
      for (const w of [...watches]) finishWatch(w, 'destroy');
      return n;
    },
    endWatches() {
      const n = watches.size;
      for (const w of [...watches]) finishWatch(w, 'end');
      return n;
    },
    openWatches: () => watches.size,
    async down(mode = 'refuse') {
      downMode = mode;
      for (const w of [...watches]) finishWatch(w, 'destroy');
      for (const s of sockets) s.destroy();
      if (mode === 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      const wasRefusing = downMode === 'refuse';
      downMode = undefined;
      if (wasRefusing) await listen();
    },
    onRequest(hook) {
      requestHooks.add(hook);
      return () => requestHooks.delete(hook);
    },
    requests,
    requestCount(filter = {}) {
      return requests.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method) &&
          (filter.watch === undefined || r.watch === filter.watch) &&
          (filter.path === undefined || (typeof filter.path === 'string' ? r.path === filter.path : filter.path.test(r.path))),
      ).length;
    },
    get connectionCount() {
      return connections;
    },
  };

  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const addr = server.address();
        if (addr && typeof addr === 'object') port = addr.port;
        resolve();
      });
    });
  }

  return api;
}

/**
 * The public types of the Kubernetes API server STAND-IN (kube-api-server.ts):
 * its options, its test controls, and what it records. Test code only.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AdmissionCall, ServiceResolver } from './kube-api-admission.js';
import type { KubeApiStore, KubeObject, StandInResource } from './kube-api-store.js';

export interface KubeApiStandInOptions {
  /** Types served from the start; default `builtinResources`. Add CRD types here or with `addResource`. */
  readonly resources?: readonly StandInResource[];
  /** Send a BOOKMARK to every bookmark-enabled watch this often; 0 (default) = only on `bookmark()`. */
  readonly bookmarkIntervalMs?: number;
  /** How a watch from a compacted resourceVersion fails; default `'error-event'` (200 + ERROR event with a 410 Status). */
  readonly expiredWatch?: 'error-event' | 'http-status';
  /** Serve HTTPS with this PEM certificate and key (the certificate must name IP 127.0.0.1); plain HTTP otherwise. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Where webhooks addressed by Service listen (a real cluster routes to the Service's pods). */
  readonly resolveWebhookService?: ServiceResolver;
}

/** One request as the stand-in saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly watch: boolean;
  readonly authorization: string | undefined;
}

/**
 * How "down" looks to clients: `refuse` stops listening (connection refused),
 * `reset` accepts and immediately resets each connection (counted in
 * `connectionCount`), `unavailable` answers every request 503.
 */
export type DownMode = 'refuse' | 'reset' | 'unavailable';

/** Transforms an object about to be created; may return a replacement (e.g. with a status). */
export type CreateHook = (obj: KubeObject, api: KubeApiStandIn) => KubeObject | void;

export interface KubeApiStandIn {
  /** `http(s)://127.0.0.1:<port>` once started. */
  readonly url: string;
  readonly port: number;
  readonly store: KubeApiStore;
  start(): Promise<void>;
  /** Ends every connection and timer. Idempotent. */
  close(): Promise<void>;
  /**
   * A client-node KubeConfig pointing at the stand-in, with bearer token
   * `stand-in-token`; over HTTPS it trusts the stand-in's certificate, over
   * plain HTTP it sets skipTLSVerify (client-node refuses http otherwise).
   */
  kubeConfig(options?: { token?: string }): KubeConfig;
  /**
   * While on, every request carrying bearer `token` has its connection reset
   * (the API server is unreachable for that client only, e.g. a partitioned
   * replica); other clients are served.
   */
  partition(token: string, on: boolean): void;
  /** The mutating webhook calls made so far. */
  readonly admissionCalls: readonly AdmissionCall[];

  /** Creates (or, when it exists, replaces) an object; `apiVersion`/`kind` pick the resource type. */
  apply(obj: KubeObject | Record<string, unknown>): KubeObject;
  create(obj: KubeObject | Record<string, unknown>): KubeObject;
  update(obj: KubeObject | Record<string, unknown>): KubeObject;
  /** Merges `status` into the object's status (what a controller's status update does). */
  setStatus(apiVersion: string, kind: string, namespace: string | undefined, name: string, status: unknown): KubeObject;
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Registers a hook run on every create of that type (API or test control). Returns an unregister function. */
  onCreate(resource: { apiVersion: string; kind: string }, hook: CreateHook): () => void;

  /** Installs a type (like applying a CRD). */
  addResource(resource: StandInResource): void;
  /** Uninstalls a type: its objects vanish, its watches end, its paths answer 404. */
  removeResource(apiVersion: string, kind: string): void;

  /** Forgets history up to `resourceVersion` (default: now); older watches and continue tokens get 410. */
  compact(resourceVersion?: number): void;
  /** Sends a BOOKMARK at the current resourceVersion to every open, unfrozen, bookmark-enabled watch. */
  bookmark(): number;
  /** Stops writing to every open watch while keeping its connection open (a silent connection). Returns how many. */
  freezeWatches(): number;
  /**
   * While on, new requests are recorded but never answered (the connection
   * stays open and silent), like a wedged server or a black-holed route.
   * Turning it off leaves those requests hanging; later requests are served.
   */
  silence(on: boolean): void;
  /** Destroys the sockets of every open watch (abrupt). Returns how many. */
  dropWatches(): number;
  /** Ends every open watch cleanly, as a server-side timeout does. Returns how many. */
  endWatches(): number;
  /** Open watch connections (frozen included). */
  openWatches(): number;
  down(mode?: DownMode): Promise<void>;
  up(): Promise<void>;

  /** Runs `hook` on every request before it is served (e.g. to compact between two pages). Returns an unregister function. */
  onRequest(hook: (request: RecordedRequest) => void): () => void;
  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  requestCount(filter?: { path?: string | RegExp; watch?: boolean; method?: string }): number;
  /** TCP connections accepted (including those reset while down). */
  readonly connectionCount: number;
}

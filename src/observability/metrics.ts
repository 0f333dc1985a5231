import type { AdminHandler } from './admin-http.js';
import { buildInfo, type BuildInfo } from '../shared/build-info.js';
import { createRegistry, type Counter, type Gauge, type Histogram } from './prometheus-registry.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/** Bucket bounds (seconds) for source event → proxy has the version; up to a minute, FSM's worst case and then some. */
export const CONVERGENCE_BUCKETS_SECONDS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
/** Bucket bounds (seconds) for config generation and certificate issuance. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** FSM's bucket bounds (seconds) for HTTP response durations (fsm_http_response_duration). */
export const HTTP_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The transports of fsm_proxy_connect_count and fsm_proxy_convergence_time_seconds. */
const TRANSPORTS = ['repo', 'xds', 'xds-delta'] as const;

/**
 * FSM's per-proxy labels (`pkg/metricsstore`): the proxy's uuid and its
 * identity `<service account>.<namespace>`. A proxy the controller does not
 * know (yet) is counted with both empty, so an unauthenticated client cannot
 * add series.
 */
export interface ProxyLabels {
  readonly proxy_uuid: string;
  readonly identity: string;
}
type ProxyLabelNames = keyof ProxyLabels | 'type';

export interface MetricsOptions {
  /** fsm_resource_namespace_count: how many namespaces are in the mesh, read at scrape time. */
  readonly namespaceCount?: () => number;
  /** fsm_feature_flag_enabled: the effective MeshConfig's `spec.featureFlags` (its boolean fields), read at scrape time. */
  readonly featureFlags?: () => object;
  /** fsm_version_info's labels (default: this package's, see shared/build-info.ts). */
  readonly buildInfo?: BuildInfo;
}

/**
 * The control plane's metrics, named and labelled as FSM's metrics store
 * names them (`fsm_…`, fsm-compat §7) so FSM's dashboards and alerts keep
 * working, plus Node.js runtime metrics (`process_*`, `nodejs_*`, see
 * runtime-metrics.ts). Unlabelled metrics and the label sets listed below are
 * present at 0 from creation. Recording is cheap and never throws. Each
 * `createMetrics()` has its own registry, so several controllers or tests in
 * one process do not share counts.
 */
export interface Metrics {
  /** fsm_proxy_connect_count{transport}: connections now (xDS streams, repo admin links); 0 for every transport from the start. */
  readonly proxyConnectCount: Gauge<'transport'>;
  /** fsm_proxy_reconnect_count: a known proxy connected again (a new admin link or xDS stream after an earlier one). */
  readonly proxyReconnectCount: Counter;
  /**
   * fsm_proxy_response_send_success_count{proxy_uuid,identity,type}: what
   * reached a proxy. `type` is the xDS type URL of a response, `reload` for a
   * reload frame on a repo admin link, `codebase` for a codebase version
   * downloaded whole.
   */
  readonly proxyResponseSendSuccess: Counter<ProxyLabelNames>;
  /**
   * fsm_proxy_response_send_error_count{proxy_uuid,identity,type}: what did
   * not: an xDS write that failed or a stream cancelled because the proxy
   * stopped reading (`type`: its type URL, `ads` when unknown); a repo
   * `reload` frame that failed, or a repo `response` whose connection broke
   * before it was written.
   */
  readonly proxyResponseSendError: Counter<ProxyLabelNames>;
  /** fsm_proxy_xds_request_count{proxy_uuid,identity,type}: xDS requests; `type` is the request's type URL (`other` for a type this controller does not know). */
  readonly proxyXdsRequestCount: Counter<ProxyLabelNames>;
  /**
   * fsm_proxy_config_update_time{resource_type,success}: seconds to generate
   * one proxy's config (one observation per proxy generated); `resource_type`
   * is the generator (`sidecar`); `success="false"` when generation failed and
   * the proxy kept its last good config.
   */
  readonly proxyConfigUpdateTime: Histogram<'resource_type' | 'success'>;
  /** fsm_proxy_broadcast_event_count: coalesced change batches applied. */
  readonly proxyBroadcastEventCount: Counter;
  /** fsm_proxy_max_connections_rejected: connections refused by the connection limit. */
  readonly proxyMaxConnectionsRejected: Counter;
  /** fsm_cert_issued_count: certificates issued. */
  readonly certIssuedCount: Counter;
  /** fsm_cert_issued_time: seconds to issue one certificate. */
  readonly certIssuedTime: Histogram;
  /** fsm_error_err_code_count{err_code}: errors by FSM error code ("E1000" …). */
  readonly errCodeCount: Counter<'err_code'>;
  /** fsm_events_queued: source events waiting in the coalescer now. */
  readonly eventsQueued: Gauge;
  /**
   * fsm_k8s_api_event_count{type,namespace}: source events, `type` as FSM's
   * announcements name them (`pod-added`, `trafficsplit-updated`, see
   * api-event-type.ts), `namespace` the object's ("" for cluster-scoped kinds).
   */
  readonly k8sApiEventCount: Counter<'type' | 'namespace'>;
  /** fsm_proxy_recompute_count: proxy configs regenerated. */
  readonly proxyRecomputeCount: Counter;
  /** fsm_proxy_convergence_time_seconds{transport}: source event → proxy has (acknowledged or reported) the version. */
  readonly proxyConvergenceTime: Histogram<'transport'>;
  /** fsm_admission_webhook_response_total{kind,success}: admission reviews answered; `success` is whether the answer allowed the object. */
  readonly admissionWebhookResponse: Counter<'kind' | 'success'>;
  /** fsm_http_response_total{code,method,path}: responses of the webhook server (method in lower case, as FSM's). */
  readonly httpResponseTotal: Counter<'code' | 'method' | 'path'>;
  /** fsm_http_response_duration{code,method,path}: their durations in seconds. */
  readonly httpResponseDuration: Histogram<'code' | 'method' | 'path'>;
  /** Removes every per-proxy series (the proxy_uuid-labelled counters) of a proxy that went away. */
  forgetProxy(proxyUuid: string): void;
  /**
   * Sets where fsm_cert_expiry_seconds reads the earliest expiry of the
   * certificates in use; the gauge reports seconds remaining at scrape time
   * (negative once expired) and is absent while the function returns undefined.
   * Replaces any earlier source.
   */
  setCertExpirySource(source: () => Date | undefined): void;
  /** Starts the runtime samplers (event-loop delay, GC). Idempotent. */
  start(): void;
  /** Stops them. Idempotent; recording keeps working. */
  close(): void;
  /** The current metrics in Prometheus text format 0.0.4. */
  scrape(): string;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const r = createRegistry();
  let expirySource: () => Date | undefined = () => undefined;
  const proxyLabelNames: readonly ProxyLabelNames[] = ['proxy_uuid', 'identity', 'type'];

  r.gaugeReader('fsm_version_info', 'Contains the static information denoting the version of this FSM instance', ['version', 'build_date', 'git_commit'], () => {
    const info = options.buildInfo ?? buildInfo();
    return [[{ version: info.version, build_date: info.buildDate, git_commit: info.gitCommit }, 1]];
  });
  r.gaugeReader('fsm_feature_flag_enabled', 'Represents whether a feature flag is enabled (1) or disabled (0)', ['feature_flag'], () =>
    Object.entries(options.featureFlags?.() ?? {}).flatMap(([flag, on]) => (typeof on === 'boolean' ? [[{ feature_flag: flag }, on ? 1 : 0] as const] : [])),
  );
  r.gaugeReader('fsm_resource_namespace_count', 'Represents the number of monitored namespaces in the service mesh', [], () => [[{}, options.namespaceCount?.() ?? 0]]);

  const proxyConnectCount = r.gauge('fsm_proxy_connect_count', 'Represents the number of proxies connected to FSM controller', ['transport']);
  const proxyConvergenceTime = r.histogram(
    'fsm_proxy_convergence_time_seconds',
    'Time from a source event to a proxy having the resulting version',
    CONVERGENCE_BUCKETS_SECONDS,
    ['transport'],
  );
  for (const transport of TRANSPORTS) {
    proxyConnectCount.init({ transport });
    proxyConvergenceTime.init({ transport });
  }
  const perProxy = [
    r.counter('fsm_proxy_response_send_success_count', 'Represents the number of responses successfully sent to proxies', proxyLabelNames),
    r.counter('fsm_proxy_response_send_error_count', 'Represents the number of responses that errored when being set to proxies', proxyLabelNames),
    r.counter('fsm_proxy_xds_request_count', 'Represents the number of XDS requests made by proxies', proxyLabelNames),
  ] as const;

  r.gaugeReader('fsm_cert_expiry_seconds', 'Seconds until the earliest certificate in use expires', [], () => {
    const expiry = expirySource();
    return expiry ? [[{}, (expiry.getTime() - Date.now()) / 1000]] : [];
  });
  const runtime = registerRuntimeMetrics(r);

  return {
    proxyConnectCount,
    proxyReconnectCount: r.counter('fsm_proxy_reconnect_count', 'Represents the number of reconnects from known proxies to FSM controller'),
    proxyResponseSendSuccess: perProxy[0],
    proxyResponseSendError: perProxy[1],
    proxyXdsRequestCount: perProxy[2],
    proxyConfigUpdateTime: r.histogram('fsm_proxy_config_update_time', 'Histogram to track time spent for proxy configuration', DURATION_BUCKETS_SECONDS, ['resource_type', 'success']),
    proxyBroadcastEventCount: r.counter('fsm_proxy_broadcast_event_count', 'Represents the number of ProxyBroadcast events published by the FSM controller'),
    proxyMaxConnectionsRejected: r.counter('fsm_proxy_max_connections_rejected', 'Represents the number of proxy connections rejected due to the configured max connections limit'),
    certIssuedCount: r.counter('fsm_cert_issued_count', 'Represents the total number of XDS certificates issued to proxies'),
    certIssuedTime: r.histogram('fsm_cert_issued_time', 'Histogram to track time spent to issue xds certificate', DURATION_BUCKETS_SECONDS),
    errCodeCount: r.counter('fsm_error_err_code_count', 'Represents the number of errcodes generated by FSM', ['err_code']),
    eventsQueued: r.gauge('fsm_events_queued', 'Number of events seen but not yet processed by the control plane'),
    k8sApiEventCount: r.counter('fsm_k8s_api_event_count', 'Represents the number of events received from the Kubernetes API Server', ['type', 'namespace']),
    proxyRecomputeCount: r.counter('fsm_proxy_recompute_count', 'Proxy configs regenerated'),
    proxyConvergenceTime,
    admissionWebhookResponse: r.counter('fsm_admission_webhook_response_total', 'Counter for responses sent by admission webhooks', ['kind', 'success']),
    httpResponseTotal: r.counter('fsm_http_response_total', 'Counter of HTTP responses sent', ['code', 'method', 'path']),
    httpResponseDuration: r.histogram('fsm_http_response_duration', 'Duration in seconds of HTTP responses sent', HTTP_BUCKETS_SECONDS, ['code', 'method', 'path']),
    forgetProxy(proxyUuid) {
      for (const c of perProxy) c.remove({ proxy_uuid: proxyUuid });
    },
    setCertExpirySource(source) {
      expirySource = source;
    },
    start: () => runtime.start(),
    close: () => runtime.close(),
    scrape: () => r.expose(),
  };
}

/** An admin-server route (`/metrics`) serving `metrics.scrape()`. */
export function metricsRoute(metrics: Pick<Metrics, 'scrape'>): AdminHandler {
  return () => ({ status: 200, body: metrics.scrape(), contentType: 'text/plain; version=0.0.4; charset=utf-8' });
}

import type { Counter, Histogram, UpDownCounter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { AdminHandler } from './admin-http.js';

/** Bucket bounds (seconds) for source event → proxy has the version; up to a minute, FSM's worst case and then some. */
export const CONVERGENCE_BUCKETS_SECONDS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];
/** Bucket bounds (seconds) for config generation and certificate issuance. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** `common_name`: the proxy's CN prefix; `type`: the xDS type URL (`ads` on ADS streams) or, on the repo, `reload`/`response`; `transport`: as on fsm_proxy_connect_count. */
type ProxyAttrs = { common_name?: string; type?: string; transport?: string };

/**
 * The control plane's metrics, named as FSM names them (`fsm_…`, fsm-compat
 * §7) so existing dashboards keep working. Instruments are plain
 * OpenTelemetry instruments; recording is cheap and never throws. Each
 * `createMetrics()` has its own MeterProvider (not the global one), so
 * several controllers or tests in one process do not share counts.
 */
export interface Metrics {
  /** fsm_proxy_connect_count: proxies connected now (xDS streams and repo admin links); +1 on connect, -1 on disconnect. */
  readonly proxyConnectCount: UpDownCounter<{ transport?: string }>;
  /** fsm_proxy_response_send_success_count: responses (xDS) or reloads (repo) delivered. */
  readonly proxyResponseSendSuccess: Counter<ProxyAttrs>;
  /**
   * fsm_proxy_response_send_error_count: responses that failed to send — an
   * xDS write that failed or a stream cancelled because the proxy stopped
   * reading; a repo `reload` frame that failed or a repo response whose
   * connection broke before it was written.
   */
  readonly proxyResponseSendError: Counter<ProxyAttrs>;
  /** fsm_proxy_config_update_time: seconds to generate one proxy's config. */
  readonly proxyConfigUpdateTime: Histogram<{ resource_type?: string; success?: string }>;
  /** fsm_proxy_broadcast_event_count: coalesced change batches applied. */
  readonly proxyBroadcastEventCount: Counter;
  /** fsm_proxy_xds_request_count: xDS requests received. */
  readonly proxyXdsRequestCount: Counter<ProxyAttrs>;
  /** fsm_proxy_max_connections_rejected: connections refused by the connection limit. */
  readonly proxyMaxConnectionsRejected: Counter;
  /** fsm_cert_issued_count: certificates issued. */
  readonly certIssuedCount: Counter;
  /** fsm_cert_issued_time: seconds to issue one certificate. */
  readonly certIssuedTime: Histogram;
  /** fsm_error_err_code_count: errors by FSM error code (`err_code` = "E1000" …). */
  readonly errCodeCount: Counter<{ err_code: string }>;
  /** fsm_events_queued: source events waiting in the coalescer now. */
  readonly eventsQueued: UpDownCounter;
  /** fsm_k8s_api_event_count: events received from sources. */
  readonly k8sApiEventCount: Counter<{ type?: string; kind?: string; namespace?: string }>;
  /** fsm_proxy_recompute_count: proxy configs regenerated. */
  readonly proxyRecomputeCount: Counter;
  /** fsm_proxy_convergence_time_seconds: source event → proxy has (acknowledged or reported) the version. */
  readonly proxyConvergenceTime: Histogram<{ transport?: string }>;
  /**
   * Sets where fsm_cert_expiry_seconds reads the earliest expiry of the
   * certificates in use; the gauge reports seconds remaining at scrape time
   * (negative once expired) and is absent while the function returns undefined.
   * Replaces any earlier source.
   */
  setCertExpirySource(source: () => Date | undefined): void;
  /** The current metrics in Prometheus text format 0.0.4. */
  scrape(): Promise<string>;
  /** Flushes and stops the provider; instruments become no-ops. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Counters whose FSM names do not end in `_total`. OpenTelemetry's
 * Prometheus serializer appends `_total` to every monotonic counter; FSM's
 * Go client did not, and FSM's dashboards query the bare names, so the
 * suffix is removed again for exactly these names.
 */
const FSM_COUNTERS = [
  'fsm_proxy_response_send_success_count',
  'fsm_proxy_response_send_error_count',
  'fsm_proxy_broadcast_event_count',
  'fsm_proxy_xds_request_count',
  'fsm_proxy_max_connections_rejected',
  'fsm_cert_issued_count',
  'fsm_error_err_code_count',
  'fsm_k8s_api_event_count',
  'fsm_proxy_recompute_count',
];
const TOTAL_SUFFIX = new RegExp(`^((?:# (?:HELP|TYPE|UNIT) )?(?:${FSM_COUNTERS.join('|')}))_total\\b`, 'gm');

export function createMetrics(): Metrics {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('fsm-control-plane');
  let expirySource: () => Date | undefined = () => undefined;
  let stopped = false;

  const counter = <A extends Record<string, string | undefined>>(name: string, description: string) =>
    meter.createCounter<A>(name, { description });
  const seconds = <A extends Record<string, string | undefined>>(name: string, description: string, buckets: readonly number[]) =>
    meter.createHistogram<A>(name, { description, unit: 's', advice: { explicitBucketBoundaries: [...buckets] } });

  meter
    .createObservableGauge('fsm_cert_expiry_seconds', { description: 'Seconds until the earliest certificate in use expires', unit: 's' })
    .addCallback((result) => {
      const expiry = expirySource();
      if (expiry) result.observe((expiry.getTime() - Date.now()) / 1000);
    });

  return {
    proxyConnectCount: meter.createUpDownCounter('fsm_proxy_connect_count', { description: 'Proxies connected to the control plane' }),
    proxyResponseSendSuccess: counter('fsm_proxy_response_send_success_count', 'Responses successfully sent to proxies'),
    proxyResponseSendError: counter('fsm_proxy_response_send_error_count', 'Responses that failed to be sent to proxies'),
    proxyConfigUpdateTime: seconds('fsm_proxy_config_update_time', 'Time to generate a proxy config', DURATION_BUCKETS_SECONDS),
    proxyBroadcastEventCount: counter('fsm_proxy_broadcast_event_count', 'Coalesced change batches applied to proxies'),
    proxyXdsRequestCount: counter('fsm_proxy_xds_request_count', 'xDS requests received from proxies'),
    proxyMaxConnectionsRejected: counter('fsm_proxy_max_connections_rejected', 'Proxy connections rejected by the connection limit'),
    certIssuedCount: counter('fsm_cert_issued_count', 'Certificates issued'),
    certIssuedTime: seconds('fsm_cert_issued_time', 'Time to issue a certificate', DURATION_BUCKETS_SECONDS),
    errCodeCount: counter('fsm_error_err_code_count', 'Errors by FSM error code'),
    eventsQueued: meter.createUpDownCounter('fsm_events_queued', { description: 'Source events waiting to be applied' }),
    k8sApiEventCount: counter('fsm_k8s_api_event_count', 'Events received from sources'),
    proxyRecomputeCount: counter('fsm_proxy_recompute_count', 'Proxy configs regenerated'),
    proxyConvergenceTime: seconds(
      'fsm_proxy_convergence_time_seconds',
      'Time from a source event to a proxy having the resulting version',
      CONVERGENCE_BUCKETS_SECONDS,
    ),
    setCertExpirySource(source) {
      expirySource = source;
    },
    async scrape() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics).replace(TOTAL_SUFFIX, '$1');
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await provider.shutdown();
    },
  };
}

/** An admin-server route (`/metrics`) serving `metrics.scrape()`. */
export function metricsRoute(metrics: Pick<Metrics, 'scrape'>): AdminHandler {
  return async () => ({ status: 200, body: await metrics.scrape(), contentType: 'text/plain; version=0.0.4; charset=utf-8' });
}

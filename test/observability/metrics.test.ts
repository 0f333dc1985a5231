import { request } from 'node:http';
import t from 'tap';
import { createAdminServer } from '../../src/observability/admin-http.js';
import { createMetrics, metricsRoute } from '../../src/observability/metrics.js';

function get(port: number, path: string) {
  return new Promise<{ status: number; type: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample line `name{labels} value`, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

t.test('a scrape over a real admin server shows the FSM metric names and recorded values', async (t) => {
  const metrics = createMetrics();
  t.teardown(() => metrics.shutdown());
  const admin = createAdminServer({ listen: '127.0.0.1:0', routes: { '/metrics': metricsRoute(metrics) } });
  const { port } = await admin.start();
  t.teardown(() => admin.close());

  metrics.proxyConnectCount.add(3, { transport: 'repo' });
  metrics.proxyConnectCount.add(-1, { transport: 'repo' });
  metrics.proxyResponseSendSuccess.add(5);
  metrics.proxyResponseSendError.add(1);
  metrics.proxyBroadcastEventCount.add(2);
  metrics.proxyXdsRequestCount.add(7);
  metrics.proxyMaxConnectionsRejected.add(1);
  metrics.certIssuedCount.add(4);
  metrics.certIssuedTime.record(0.002);
  metrics.errCodeCount.add(2, { err_code: 'E5001' });
  metrics.eventsQueued.add(6);
  metrics.eventsQueued.add(-6);
  metrics.k8sApiEventCount.add(9, { type: 'ADDED', kind: 'Pod' });
  metrics.proxyRecomputeCount.add(11);
  metrics.proxyConfigUpdateTime.record(0.004, { resource_type: 'pipy', success: 'true' });
  metrics.proxyConvergenceTime.record(0.3);
  metrics.proxyConvergenceTime.record(45);
  const expiry = new Date(Date.now() + 3_600_000);
  metrics.setCertExpirySource(() => expiry);

  const res = await get(port, '/metrics');
  t.equal(res.status, 200);
  t.match(res.type, /^text\/plain; version=0\.0\.4/);
  const text = res.body;
  t.equal(sample(text, 'fsm_proxy_connect_count{transport="repo"}'), 2);
  t.equal(sample(text, 'fsm_proxy_response_send_success_count'), 5);
  t.equal(sample(text, 'fsm_proxy_response_send_error_count'), 1);
  t.equal(sample(text, 'fsm_proxy_broadcast_event_count'), 2);
  t.equal(sample(text, 'fsm_proxy_xds_request_count'), 7);
  t.equal(sample(text, 'fsm_proxy_max_connections_rejected'), 1);
  t.equal(sample(text, 'fsm_cert_issued_count'), 4);
  t.equal(sample(text, 'fsm_cert_issued_time_count'), 1);
  t.equal(sample(text, 'fsm_error_err_code_count{err_code="E5001"}'), 2);
  t.equal(sample(text, 'fsm_events_queued'), 0);
  t.equal(sample(text, 'fsm_k8s_api_event_count{type="ADDED",kind="Pod"}'), 9);
  t.equal(sample(text, 'fsm_proxy_recompute_count'), 11);
  t.equal(sample(text, 'fsm_proxy_config_update_time_count{resource_type="pipy",success="true"}'), 1);
  t.match(text, /^# TYPE fsm_proxy_response_send_success_count counter$/m, 'counters keep their type under the FSM name');
  t.notMatch(text, /fsm_\w+_count_total/, 'no _total suffix on FSM counter names');

  t.match(text, /^# TYPE fsm_proxy_convergence_time_seconds histogram$/m);
  t.equal(sample(text, 'fsm_proxy_convergence_time_seconds_bucket{le="0.25"}'), 0);
  t.equal(sample(text, 'fsm_proxy_convergence_time_seconds_bucket{le="0.5"}'), 1);
  t.equal(sample(text, 'fsm_proxy_convergence_time_seconds_bucket{le="30"}'), 1);
  t.equal(sample(text, 'fsm_proxy_convergence_time_seconds_bucket{le="60"}'), 2);
  t.equal(sample(text, 'fsm_proxy_convergence_time_seconds_count'), 2);
  t.equal(sample(text, 'fsm_proxy_convergence_time_seconds_sum'), 45.3);

  const remaining = sample(text, 'fsm_cert_expiry_seconds');
  t.ok(remaining !== undefined && remaining > 3500 && remaining <= 3600, `cert expiry ~1h away (${remaining})`);
  t.notMatch(text, /target_info|otel_scope_name/, 'no OpenTelemetry resource or scope noise');
});

t.test('the cert expiry gauge is absent without a source, and instruments are separate per createMetrics()', async (t) => {
  const a = createMetrics();
  const b = createMetrics();
  t.teardown(() => Promise.all([a.shutdown(), b.shutdown()]));
  a.certIssuedCount.add(1);
  a.setCertExpirySource(() => undefined);
  const textA = await a.scrape();
  const textB = await b.scrape();
  t.equal(sample(textA, 'fsm_cert_issued_count'), 1);
  t.equal(sample(textB, 'fsm_cert_issued_count'), undefined);
  t.notMatch(textA, /^fsm_cert_expiry_seconds /m);
  await a.shutdown();
  await a.shutdown();
  t.pass('shutdown is idempotent');
});

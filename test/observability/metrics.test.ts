import { request } from 'node:http';
import t from 'tap';
import { createAdminServer } from '../../src/observability/admin-http.js';
import { createMetrics, metricsRoute } from '../../src/observability/metrics.js';
import { packageVersion } from '../../src/shared/build-info.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

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

t.test('a scrape over a real admin server shows the FSM metric names, types and recorded values', async (t) => {
  const metrics = createMetrics();
  t.teardown(() => metrics.close());
  const admin = createAdminServer({ listen: '127.0.0.1:0', routes: { '/metrics': metricsRoute(metrics) } });
  const { port } = await admin.start();
  t.teardown(() => admin.close());

  metrics.proxyConnectCount.add(3, { transport: 'repo' });
  metrics.proxyConnectCount.add(-1, { transport: 'repo' });
  metrics.proxyResponseSendSuccess.add(5, { proxy_uuid: 'u1', identity: 'sa.ns', type: 'reload' });
  metrics.proxyResponseSendError.add(1, { proxy_uuid: 'u1', identity: 'sa.ns', type: 'response' });
  metrics.proxyBroadcastEventCount.add(2);
  metrics.proxyXdsRequestCount.add(7, { proxy_uuid: 'u1', identity: 'sa.ns', type: 'type.googleapis.com/fsm.pipy.v1.SidecarConfig' });
  metrics.proxyMaxConnectionsRejected.add(1);
  metrics.proxyReconnectCount.add(1);
  metrics.certIssuedCount.add(4);
  metrics.certIssuedTime.record(0.002);
  metrics.errCodeCount.add(2, { err_code: 'E5001' });
  metrics.eventsQueued.add(6);
  metrics.eventsQueued.add(-6);
  metrics.k8sApiEventCount.add(9, { type: 'pod-added', namespace: 'bookstore' });
  metrics.proxyRecomputeCount.add(11);
  metrics.proxyConfigUpdateTime.record(0.004, { resource_type: 'sidecar', success: 'true' });
  metrics.proxyConvergenceTime.record(0.3, { transport: 'repo' });
  metrics.proxyConvergenceTime.record(45, { transport: 'repo' });
  metrics.admissionWebhookResponse.add(1, { kind: 'Pod', success: 'true' });
  metrics.httpResponseDuration.record(0.02, { code: '200', method: 'post', path: '/mutate-pod-creation' });
  const expiry = new Date(Date.now() + 3_600_000);
  metrics.setCertExpirySource(() => expiry);

  const res = await get(port, '/metrics');
  t.equal(res.status, 200);
  t.match(res.type, /^text\/plain; version=0\.0\.4/);
  const f = parsePrometheusText(res.body);
  const v = (name: string, labels: Record<string, string> = {}) => sampleValue(f, name, labels);
  t.equal(v('fsm_proxy_connect_count', { transport: 'repo' }), 2);
  t.equal(v('fsm_proxy_response_send_success_count', { proxy_uuid: 'u1', identity: 'sa.ns', type: 'reload' }), 5);
  t.equal(v('fsm_proxy_response_send_error_count', { proxy_uuid: 'u1', type: 'response' }), 1);
  t.equal(v('fsm_proxy_broadcast_event_count'), 2);
  t.equal(v('fsm_proxy_xds_request_count', { proxy_uuid: 'u1' }), 7);
  t.equal(v('fsm_proxy_max_connections_rejected'), 1);
  t.equal(v('fsm_proxy_reconnect_count'), 1);
  t.equal(v('fsm_cert_issued_count'), 4);
  t.equal(v('fsm_cert_issued_time_count'), 1);
  t.equal(v('fsm_error_err_code_count', { err_code: 'E5001' }), 2);
  t.equal(v('fsm_events_queued'), 0);
  t.equal(v('fsm_k8s_api_event_count', { type: 'pod-added', namespace: 'bookstore' }), 9);
  t.equal(v('fsm_proxy_recompute_count'), 11);
  t.equal(v('fsm_proxy_config_update_time_count', { resource_type: 'sidecar', success: 'true' }), 1);
  t.equal(v('fsm_proxy_convergence_time_seconds_bucket', { transport: 'repo', le: '0.25' }), 0);
  t.equal(v('fsm_proxy_convergence_time_seconds_bucket', { transport: 'repo', le: '0.5' }), 1);
  t.equal(v('fsm_proxy_convergence_time_seconds_bucket', { transport: 'repo', le: '60' }), 2);
  t.equal(v('fsm_proxy_convergence_time_seconds_sum', { transport: 'repo' }), 45.3);
  t.equal(v('fsm_admission_webhook_response_total', { kind: 'Pod', success: 'true' }), 1);
  t.equal(v('fsm_http_response_duration_count', { code: '200', method: 'post', path: '/mutate-pod-creation' }), 1);
  for (const [name, type] of [
    ['fsm_proxy_response_send_success_count', 'counter'],
    ['fsm_k8s_api_event_count', 'counter'],
    ['fsm_proxy_connect_count', 'gauge'],
    ['fsm_proxy_config_update_time', 'histogram'],
    ['fsm_version_info', 'gauge'],
  ] as const) {
    t.equal(f.get(name)?.type, type, `${name} is a ${type}`);
  }
  t.notMatch(res.body, /^fsm_\w+_count_total/m, 'no _total suffix on FSM counter names');

  const remaining = v('fsm_cert_expiry_seconds');
  t.ok(remaining !== undefined && remaining > 3500 && remaining <= 3600, `cert expiry ~1h away (${remaining})`);
});

t.test('present at 0 from the start: gauges, counters, every transport, version and mesh readings', async (t) => {
  let namespaces = 0;
  const flags = { enableEgressPolicy: true, enableRetryPolicy: false, notAFlag: 'x' };
  const metrics = createMetrics({ namespaceCount: () => namespaces, featureFlags: () => flags });
  t.teardown(() => metrics.close());
  let f = parsePrometheusText(metrics.scrape());
  for (const name of [
    'fsm_proxy_reconnect_count',
    'fsm_proxy_broadcast_event_count',
    'fsm_proxy_max_connections_rejected',
    'fsm_cert_issued_count',
    'fsm_cert_issued_time_count',
    'fsm_events_queued',
    'fsm_proxy_recompute_count',
    'fsm_resource_namespace_count',
  ]) {
    t.equal(sampleValue(f, name), 0, `${name} is 0`);
  }
  for (const transport of ['repo', 'xds', 'xds-delta']) {
    t.equal(sampleValue(f, 'fsm_proxy_connect_count', { transport }), 0, `fsm_proxy_connect_count{transport="${transport}"} is 0`);
    t.equal(sampleValue(f, 'fsm_proxy_convergence_time_seconds_count', { transport }), 0);
  }
  t.equal(sampleValue(f, 'fsm_version_info', { version: packageVersion(), build_date: '', git_commit: '' }), 1);
  const built = createMetrics({ buildInfo: { version: '1.2.3', gitCommit: 'abc123', buildDate: '2026-12-06T10:00:00Z' } });
  t.teardown(() => built.close());
  t.equal(sampleValue(parsePrometheusText(built.scrape()), 'fsm_version_info', { version: '1.2.3', build_date: '2026-12-06T10:00:00Z', git_commit: 'abc123' }), 1, 'an image labels its commit and build date');
  t.equal(sampleValue(f, 'fsm_feature_flag_enabled', { feature_flag: 'enableEgressPolicy' }), 1);
  t.equal(sampleValue(f, 'fsm_feature_flag_enabled', { feature_flag: 'enableRetryPolicy' }), 0);
  t.equal(sampleValue(f, 'fsm_feature_flag_enabled', { feature_flag: 'notAFlag' }), undefined, 'only boolean fields are flags');
  t.notOk(f.has('fsm_cert_expiry_seconds'), 'no expiry without a source');

  namespaces = 3;
  flags.enableRetryPolicy = true;
  f = parsePrometheusText(metrics.scrape());
  t.equal(sampleValue(f, 'fsm_resource_namespace_count'), 3, 'read at scrape time');
  t.equal(sampleValue(f, 'fsm_feature_flag_enabled', { feature_flag: 'enableRetryPolicy' }), 1);
});

t.test('forgetProxy removes the per-proxy series of one proxy; instances are separate', async (t) => {
  const a = createMetrics();
  const b = createMetrics();
  t.teardown(() => {
    a.close();
    b.close();
  });
  for (const uuid of ['u1', 'u2']) {
    a.proxyResponseSendSuccess.add(1, { proxy_uuid: uuid, identity: 'sa.ns', type: 'reload' });
    a.proxyResponseSendError.add(1, { proxy_uuid: uuid, identity: 'sa.ns', type: 'reload' });
    a.proxyXdsRequestCount.add(1, { proxy_uuid: uuid, identity: 'sa.ns', type: 't' });
  }
  a.forgetProxy('u1');
  const f = parsePrometheusText(a.scrape());
  t.notMatch(a.scrape(), /u1/);
  for (const name of ['fsm_proxy_response_send_success_count', 'fsm_proxy_response_send_error_count', 'fsm_proxy_xds_request_count']) {
    t.equal(sampleValue(f, name, { proxy_uuid: 'u2' }), 1, `${name} of u2 stays`);
  }
  t.equal(sampleValue(parsePrometheusText(b.scrape()), 'fsm_proxy_response_send_success_count'), undefined, 'another instance counts nothing');
  a.close();
  a.close();
  t.pass('close is idempotent');
});

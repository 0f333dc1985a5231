import https from 'node:https';
import t from 'tap';
import { webhookMetrics } from '../../src/controller/webhook-metrics.js';
import { createWebhookServer } from '../../src/injector/webhook-server.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { bookstorePod, injectorFixture, podReview } from '../injector/fixtures/injector-fixture.js';
import { createTestPki } from '../server/pipy-repo/fixtures/test-pki.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

// The injector's webhook in FSM's metrics, through a real webhook server over TLS.

function post(port: number, ca: string, body: string, contentType = 'application/json', path = '/mutate-pod-creation') {
  return new Promise<number>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: { 'content-type': contentType }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('admissions by kind and answer, HTTP responses by code, method and path; the normal series exist from the start', async (t) => {
  const metrics = createMetrics();
  t.teardown(() => metrics.close());
  const callbacks = webhookMetrics(metrics);
  const path = '/mutate-pod-creation';
  let f = parsePrometheusText(metrics.scrape());
  t.equal(sampleValue(f, 'fsm_admission_webhook_response_total', { kind: 'Pod', success: 'true' }), 0);
  t.equal(sampleValue(f, 'fsm_admission_webhook_response_total', { kind: 'Pod', success: 'false' }), 0);
  t.equal(sampleValue(f, 'fsm_http_response_duration_count', { code: '200', method: 'post', path }), 0);

  const fixture = await injectorFixture(t);
  const pki = await createTestPki();
  const server = createWebhookServer({ listen: '127.0.0.1:0', tls: pki.server, injector: fixture.injector, ...callbacks });
  const port = await server.start();
  t.teardown(() => server.close());

  const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: podReview('bookstore', bookstorePod()) };
  t.equal(await post(port, pki.caPem, JSON.stringify(review)), 200);
  const notAPod = { ...review, request: { ...review.request, kind: { group: '', version: 'v1', kind: 'MadeUpKind' } } };
  t.equal(await post(port, pki.caPem, JSON.stringify(notAPod)), 200);
  t.equal(await post(port, pki.caPem, JSON.stringify(review), 'text/plain'), 415);
  t.equal(await post(port, pki.caPem, '{}', 'application/json', '/elsewhere'), 404);

  // Each response was counted when the server finished sending it, before the client read its end.
  f = parsePrometheusText(metrics.scrape());
  t.equal(sampleValue(f, 'fsm_admission_webhook_response_total', { kind: 'Pod', success: 'true' }), 1, 'the pod admitted');
  t.equal(sampleValue(f, 'fsm_admission_webhook_response_total', { kind: 'other' }), 1, 'a kind that is no Pod adds no series of its own');
  t.notMatch(metrics.scrape(), /MadeUpKind/);
  t.equal(sampleValue(f, 'fsm_http_response_total', { code: '200', method: 'post', path }), 2);
  t.equal(sampleValue(f, 'fsm_http_response_duration_count', { code: '200', method: 'post', path }), 2);
  t.equal(sampleValue(f, 'fsm_http_response_total', { code: '415', method: 'post', path }), 1);
  t.equal(sampleValue(f, 'fsm_http_response_total', { path: '/elsewhere' }), undefined, 'only the webhook path is counted');
  t.ok((sampleValue(f, 'fsm_http_response_duration_sum', { code: '200', method: 'post', path }) ?? 0) > 0, 'durations observed');
});

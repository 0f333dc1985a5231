import type { WebhookServerOptions } from '../injector/webhook-server.js';
import { WEBHOOK_PATH } from '../injector/webhook-configuration.js';
import type { Metrics } from '../observability/metrics.js';

/**
 * The injector's webhook in FSM's metrics: fsm_admission_webhook_response_total{kind,success}
 * and fsm_http_response_total / fsm_http_response_duration{code,method,path}
 * (FSM's dashboards chart `method="post",path="/mutate-pod-creation"`). The
 * series of a normal admission exist at 0 from the start, with or without an
 * injector, as FSM's controller registers them. The kind is the request's
 * when it is a Pod and `other` otherwise: anyone who reaches the port can
 * send a review, and must not add series.
 */
export function webhookMetrics(metrics: Metrics): Required<Pick<WebhookServerOptions, 'onReview' | 'onResponse'>> {
  for (const success of ['true', 'false']) metrics.admissionWebhookResponse.init({ kind: 'Pod', success });
  const admitted = { code: '200', method: 'post', path: WEBHOOK_PATH };
  metrics.httpResponseTotal.init(admitted);
  metrics.httpResponseDuration.init(admitted);
  return {
    onReview: (_outcome, _durationMs, answer) =>
      metrics.admissionWebhookResponse.add(1, { kind: answer.kind === 'Pod' ? 'Pod' : 'other', success: String(answer.allowed) }),
    onResponse: (r) => {
      const labels = { code: String(r.code), method: r.method, path: WEBHOOK_PATH };
      metrics.httpResponseTotal.add(1, labels);
      metrics.httpResponseDuration.record(r.seconds, labels);
    },
  };
}

import t from 'tap';
import { ensureWebhookConfiguration, webhookConfiguration, type WebhookConfigurationSpec } from '../../src/injector/webhook-configuration.js';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const spec: WebhookConfigurationSpec = { name: 'fsm-controller-webhook-fsm', meshName: 'fsm', fsmNamespace: 'fsm-system', version: '0.1.0', service: 'fsm-controller', port: 9090, caBundlePem: 'ROOT-1', timeoutSeconds: 20 };

t.test("FSM's shape: one webhook, its selector, rules and policies", async (t) => {
  const mwc = webhookConfiguration(spec) as Json;
  t.same(mwc.metadata.labels, { 'app.kubernetes.io/name': 'flomesh.io', 'app.kubernetes.io/instance': 'fsm', 'app.kubernetes.io/version': '0.1.0', app: 'fsm-controller' });
  const wh = mwc.webhooks[0];
  t.equal(wh.name, 'fsm-inject.k8s.io');
  t.same(wh.clientConfig.service, { namespace: 'fsm-system', name: 'fsm-controller', path: '/mutate-pod-creation', port: 9090 });
  t.equal(Buffer.from(wh.clientConfig.caBundle, 'base64').toString(), 'ROOT-1');
  t.same(wh.namespaceSelector, {
    matchLabels: { 'flomesh.io/monitored-by': 'fsm' },
    matchExpressions: [
      { key: 'flomesh.io/ignore', operator: 'DoesNotExist' },
      { key: 'name', operator: 'NotIn', values: ['fsm-system'] },
      { key: 'control-plane', operator: 'DoesNotExist' },
    ],
  });
  t.same(wh.rules, [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }]);
  t.match(wh, { failurePolicy: 'Fail', matchPolicy: 'Exact', sideEffects: 'NoneOnDryRun', timeoutSeconds: 20, admissionReviewVersions: ['v1'] });
});

t.test('created when missing, caBundle kept current, left alone when current', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const client = createKubeClient({ kubeConfig: api.kubeConfig() });
  t.equal(await ensureWebhookConfiguration(client, spec), 'created');
  t.equal(await ensureWebhookConfiguration(client, spec), 'unchanged');
  const puts = api.requestCount({ method: 'PUT' });
  t.equal(await ensureWebhookConfiguration(client, { ...spec, caBundlePem: 'ROOT-1\nROOT-2' }), 'updated');
  t.equal(api.requestCount({ method: 'PUT' }), puts + 1);
  const stored = api.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, spec.name) as Json;
  t.equal(Buffer.from(stored.webhooks[0].clientConfig.caBundle, 'base64').toString(), 'ROOT-1\nROOT-2');
  t.equal(stored.webhooks[0].timeoutSeconds, 20, 'the rest untouched');

  // A configuration owned by a chart (other settings) only gets its caBundle replaced.
  api.update({ ...stored, webhooks: [{ ...stored.webhooks[0], timeoutSeconds: 7, clientConfig: { ...stored.webhooks[0].clientConfig, caBundle: '' } }] });
  t.equal(await ensureWebhookConfiguration(client, spec), 'updated');
  const again = api.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, spec.name) as Json;
  t.equal(again.webhooks[0].timeoutSeconds, 7);
  t.equal(Buffer.from(again.webhooks[0].clientConfig.caBundle, 'base64').toString(), 'ROOT-1');
});

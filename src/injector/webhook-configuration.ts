/**
 * The MutatingWebhookConfiguration that sends pod creations of monitored
 * namespaces to the injector, shaped as FSM's (`createOrUpdateMutatingWebhook`
 * in `pkg/injector/webhook.go`): webhook `fsm-inject.k8s.io`, FSM's labels,
 * namespaceSelector `flomesh.io/monitored-by=<mesh>` without
 * `flomesh.io/ignore`, `name` not the control-plane namespace and no
 * `control-plane` label, CREATE of v1 pods, failurePolicy Fail,
 * sideEffects NoneOnDryRun. The leader keeps its `caBundle` equal to the
 * mesh trust bundle, so that a root rotation (both roots trusted while it
 * runs) never breaks admission.
 */
import { isAlreadyExists, isConflict, isNotFound } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import { Resources, resourcePath, type ObjectMeta } from '../kubernetes/paths.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { APP_NAME, InjectorLabels } from './annotations.js';

export const WEBHOOK_NAME = 'fsm-inject.k8s.io';
export const WEBHOOK_PATH = '/mutate-pod-creation';

export interface WebhookConfigurationSpec {
  /** The object's name (FSM: `fsm-webhook-<mesh>`). */
  readonly name: string;
  readonly meshName: string;
  readonly fsmNamespace: string;
  readonly version: string;
  /** The Service in front of the webhook, and its port. */
  readonly service: string;
  readonly port: number;
  readonly caBundlePem: string;
  readonly timeoutSeconds: number;
}

interface MutatingWebhookConfiguration {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  webhooks?: ({ name: string; clientConfig?: { caBundle?: string } & Record<string, unknown> } & Record<string, unknown>)[];
}

export function webhookConfiguration(s: WebhookConfigurationSpec): MutatingWebhookConfiguration & Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: s.name,
      labels: { [InjectorLabels.AppName]: APP_NAME, [InjectorLabels.AppInstance]: s.meshName, [InjectorLabels.AppVersion]: s.version, app: 'fsm-controller' },
    },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        clientConfig: {
          service: { namespace: s.fsmNamespace, name: s.service, path: WEBHOOK_PATH, port: s.port },
          caBundle: Buffer.from(s.caBundlePem).toString('base64'),
        },
        failurePolicy: 'Fail',
        matchPolicy: 'Exact',
        namespaceSelector: {
          matchLabels: { [InjectorLabels.MonitoredBy]: s.meshName },
          matchExpressions: [
            { key: InjectorLabels.Ignore, operator: 'DoesNotExist' },
            { key: 'name', operator: 'NotIn', values: [s.fsmNamespace] },
            { key: 'control-plane', operator: 'DoesNotExist' },
          ],
        },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        sideEffects: 'NoneOnDryRun',
        timeoutSeconds: s.timeoutSeconds,
        admissionReviewVersions: ['v1'],
      },
    ],
  };
}

export type EnsureResult = 'created' | 'updated' | 'unchanged';

/**
 * Creates the configuration when it is missing, else sets the caBundle of
 * every webhook in it when it differs (the rest is left as found: a chart
 * may own it). A concurrent writer (409) makes it read and try again once.
 */
export async function ensureWebhookConfiguration(client: KubeClient, spec: WebhookConfigurationSpec, signal?: AbortSignal, logger: Logger = silentLogger): Promise<EnsureResult> {
  const path = resourcePath(Resources.mutatingWebhookConfigurations, { name: spec.name });
  const caBundle = Buffer.from(spec.caBundlePem).toString('base64');
  for (let attempt = 1; ; attempt++) {
    let current: MutatingWebhookConfiguration | undefined;
    try {
      current = await client.get<MutatingWebhookConfiguration>(path, signal ? { signal } : {});
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      if (!current) {
        await client.create(resourcePath(Resources.mutatingWebhookConfigurations), webhookConfiguration(spec), signal ? { signal } : {});
        logger.info('created the MutatingWebhookConfiguration', { name: spec.name });
        return 'created';
      }
      const webhooks = current.webhooks ?? [];
      if (webhooks.length > 0 && webhooks.every((w) => w.clientConfig?.caBundle === caBundle)) return 'unchanged';
      const next = { ...current, webhooks: webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } })) };
      await client.update(path, next, signal ? { signal } : {});
      logger.info('updated the caBundle of the MutatingWebhookConfiguration', { name: spec.name });
      return 'updated';
    } catch (err) {
      if (attempt >= 2 || !(isConflict(err) || isAlreadyExists(err))) throw err;
    }
  }
}

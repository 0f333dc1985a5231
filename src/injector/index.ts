/**
 * The sidecar injector (a mutating admission webhook inside fsm-controller):
 * FSM's injection rules, pod patch, iptables script and bootstrap Secrets.
 */
export { createInjector, repoUrl, type Injector, type InjectorMeshSettings, type InjectorOptions, type InjectorView, type AdmissionOutcome } from './injector.js';
export { createWebhookServer, type WebhookServer, type WebhookServerOptions } from './webhook-server.js';
export { ensureWebhookConfiguration, webhookConfiguration, WEBHOOK_NAME, WEBHOOK_PATH, type WebhookConfigurationSpec } from './webhook-configuration.js';
export { createBootstrapCollector, pendingRecordName, type BootstrapCollector, type PodFinder, type SweepResult } from './bootstrap-collector.js';
export { bootstrapSecretName, BOOTSTRAP_SECRET_PREFIX } from './bootstrap-secret.js';
export { iptablesCommand, iptablesRules, SIDECAR_UID, type LocalProxyMode } from './iptables.js';
export { exclusionsFor, type Exclusions, type GlobalExclusions } from './exclusions.js';
export { decideInjection, isMonitored, type NamespaceInfo } from './injection-policy.js';
export { parseAdmissionReview, type AdmissionRequest, type AdmissionReviewOut } from './admission-review.js';

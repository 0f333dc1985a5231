/**
 * The Kubernetes access layer: configuration loading, one JSON HTTP client
 * with typed errors and inactivity timeouts, the list/watch loop, and leader
 * election. Every module that talks to an API server goes through it.
 */
export { createBackoff, sleep, systemClock, type Backoff, type BackoffOptions, type Clock } from '../shared/backoff.js';
export { InactivityError, KubeApiError, KubeConfigError, errorMessage, isAlreadyExists, isConflict, isGone, isNotFound } from './errors.js';
export { createKubeClient, type KubeClient, type KubeClientOptions, type KubeRequestOptions, type KubeWatchOptions, type PatchType } from './kube-client.js';
export { loadKubeConfig, SERVICE_ACCOUNT_DIR, type LoadedKubeConfig, type LoadKubeConfigOptions } from './kube-config.js';
export { createListWatch, type ListWatch, type ListWatchEvent, type ListWatchOptions, type ListWatchState, type ListWatchStatus } from './list-watch.js';
export { resourcePath, Resources, type ObjectList, type ObjectMeta, type OwnerReference, type ResourceType } from './paths.js';
export {
  createLeaderElector,
  judgeLease,
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  type Lease,
  type LeaseSpec,
  type LeaderElector,
  type LeaderElectorOptions,
  type LeaseVerdict,
} from './leader-election.js';

export { createKubernetesSource, type KubernetesSource, type KubernetesSourceOptions } from './kubernetes-source.js';
export { defaultKubernetesKinds, collectionPath, kindId, type KubernetesKind } from './kinds.js';
export type { KindState, KindStatus } from './kind-watcher.js';
export { createBackoff, systemClock, type Backoff, type BackoffOptions, type Clock } from '../../shared/backoff.js';
export { trimObject } from './trim.js';

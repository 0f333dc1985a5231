export { createKubernetesSource, type KubernetesSource, type KubernetesSourceOptions } from './kubernetes-source.js';
export { defaultKubernetesKinds, collectionPath, kindId, type KubernetesKind } from './kinds.js';
export type { KindState, KindStatus } from './kind-watcher.js';

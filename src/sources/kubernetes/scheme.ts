import { defineSourceScheme } from '../scheme.js';
import { createKubernetesSource } from './kubernetes-source.js';

/** `--source kubernetes`: the cluster the kubeconfig (or the pod's service account) names. */
export const kubernetesSourceScheme = defineSourceScheme<Record<string, never>>({
  scheme: 'kubernetes',
  usage: 'kubernetes',
  parse(arg) {
    if (arg !== '') throw new Error('takes no argument');
    return {};
  },
  create: (_config, { logger }) => createKubernetesSource({ logger }),
});

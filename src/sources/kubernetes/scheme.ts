import { defineSourceScheme } from '../scheme.js';
import { defaultKubernetesKinds } from './kinds.js';
import { createKubernetesSource } from './kubernetes-source.js';

/**
 * `--source kubernetes`: the cluster the kubeconfig (or the pod's service
 * account) names, every kind the mesh reads except Secrets, so the controller
 * needs no read access to Secrets across the cluster.
 * `--source kubernetes:secrets` also watches Secrets (Egress mTLS
 * certificates kept in Secrets), which needs that access.
 */
export const kubernetesSourceScheme = defineSourceScheme<{ secrets: boolean }>({
  scheme: 'kubernetes',
  usage: 'kubernetes[:secrets]',
  parse(arg) {
    if (arg !== '' && arg !== 'secrets') throw new Error('the only argument is "secrets"');
    return { secrets: arg === 'secrets' };
  },
  create: (config, { logger }) =>
    createKubernetesSource({ logger, kinds: config.secrets ? defaultKubernetesKinds : defaultKubernetesKinds.filter((k) => k.kind !== 'Secret') }),
});

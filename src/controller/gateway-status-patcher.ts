/**
 * The `patchStatus` the gateway status writer needs, on Kubernetes: read
 * the object's `/status` subresource, merge, and replace it with the
 * resourceVersion read, so a concurrent change is never overwritten (409
 * Conflict: read again, up to `retries` times). Only the leader may write
 * (wire it behind leader election).
 */
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { PatchStatus } from '../generate/gateway/status/status-writer.js';

export interface KubeStatusPatcherOptions {
  readonly kubeConfig: KubeConfig;
  /** Attempts after a 409 Conflict (default 3). */
  readonly retries?: number;
}

type Obj = { metadata?: { resourceVersion?: string }; status?: Record<string, unknown> } & Record<string, unknown>;

export function createKubeStatusPatcher(options: KubeStatusPatcherOptions): PatchStatus {
  const api = options.kubeConfig.makeApiClient(CustomObjectsApi);
  const retries = options.retries ?? 3;
  return async (target, merge) => {
    const [group, version] = target.apiVersion.split('/') as [string, string];
    const where = { group, version, plural: target.plural, name: target.name };
    for (let attempt = 0; ; attempt++) {
      const current = (target.namespace
        ? await api.getNamespacedCustomObjectStatus({ ...where, namespace: target.namespace })
        : await api.getClusterCustomObjectStatus(where)) as Obj;
      const body = { ...current, status: merge(current.status) };
      try {
        if (target.namespace) await api.replaceNamespacedCustomObjectStatus({ ...where, namespace: target.namespace, body });
        else await api.replaceClusterCustomObjectStatus({ ...where, body });
        return;
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 409) || attempt >= retries) throw err;
      }
    }
  };
}

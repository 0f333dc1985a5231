/**
 * The `patchStatus` the gateway status writer needs, on Kubernetes, through
 * the project's Kubernetes access layer: read the object's `/status`
 * subresource, merge, and replace it with the resourceVersion read, so a
 * concurrent change is never overwritten (409 Conflict: read again, up to
 * `retries` times); a status that is already as merged is not written.
 * Only the leader may write: give it the leadership signal, which aborts
 * requests in flight when leadership ends.
 */
import { canonicalJson } from '../shared/canonical-json.js';
import { isConflict } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import { resourcePath, type ObjectMeta } from '../kubernetes/paths.js';
import type { PatchStatus } from '../generate/gateway/status/status-writer.js';

export interface KubeStatusPatcherOptions {
  readonly client: KubeClient;
  /** Aborts every request (leadership ended). */
  readonly signal?: AbortSignal;
  /** Attempts after a 409 Conflict (default 3). */
  readonly retries?: number;
}

interface StatusObject {
  metadata: ObjectMeta;
  status?: Record<string, unknown>;
}

export function createKubeStatusPatcher(options: KubeStatusPatcherOptions): PatchStatus {
  const { client } = options;
  const retries = options.retries ?? 3;
  const request = options.signal ? { signal: options.signal } : {};
  return async (target, merge) => {
    const type = { apiVersion: target.apiVersion, plural: target.plural, namespaced: target.namespace !== undefined };
    const path = resourcePath(type, { namespace: target.namespace, name: target.name, subresource: 'status' });
    for (let attempt = 0; ; attempt++) {
      const current = await client.get<StatusObject>(path, request);
      const status = merge(current.status);
      // Already so (a new leader's first sync): no write, and no watch event for every replica.
      if (canonicalJson(status) === canonicalJson(current.status ?? {})) return;
      // The body carries the resourceVersion read: the API server refuses it (409) if the object changed since.
      const body = { ...current, status };
      try {
        await client.update(path, body, request);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= retries) throw err;
      }
    }
  };
}

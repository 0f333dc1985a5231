/**
 * The life of bootstrap Secrets after admission. FSM creates the Secret
 * inside the admission call and never looks at it again, so a pod that is
 * never created (a later webhook refuses it, a quota, a crash) leaves it
 * behind, and a deleted pod's Secret stays forever. Here:
 *
 * - Admission first writes a pending record (a ConfigMap
 *   `fsm-bootstrap-<uuid>` in the control-plane namespace), then the Secret.
 * - The leader sweeps the pending records: once the pod exists, the Secret
 *   gets an ownerReference to it (the cluster's garbage collector then
 *   deletes it with the pod) and the record goes; a record older than the
 *   grace time whose pod never appeared takes its Secret with it.
 *
 * The records keep the controller from needing to list or read Secrets
 * outside its namespace: it creates, patches and deletes them by name.
 */
import { errorMessage, isNotFound } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import { Resources, resourcePath, type ObjectList, type ObjectMeta } from '../kubernetes/paths.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { APP_NAME, InjectorLabels } from './annotations.js';
import { bootstrapSecretName } from './bootstrap-secret.js';

export const PENDING_LABEL = 'flomesh.io/bootstrap-pending';
const configMaps = { apiVersion: 'v1', plural: 'configmaps', namespaced: true } as const;

export const pendingRecordName = (uuid: string) => `fsm-bootstrap-${uuid}`;

/** The pod of a uuid, when it exists. */
export type PodFinder = (namespace: string, uuid: string, signal: AbortSignal) => Promise<{ name: string; uid: string } | undefined>;

export interface BootstrapCollectorOptions {
  readonly client: KubeClient;
  readonly fsmNamespace: string;
  readonly meshName: string;
  /** How long a bootstrap Secret may wait for its pod before it is deleted. */
  readonly graceMs: number;
  /** Looks the pod up (the model first, then the API server). */
  readonly findPod: PodFinder;
  readonly now?: () => number;
  readonly logger?: Logger;
}

export interface SweepResult {
  /** Secrets given an owner reference to their pod. */
  readonly adopted: number;
  /** Secrets deleted because their pod never appeared. */
  readonly collected: number;
  /** Records still waiting. */
  readonly pending: number;
}

export interface BootstrapCollector {
  /** Records a bootstrap Secret about to be created (call before creating it). */
  record(namespace: string, uuid: string): Promise<void>;
  /** One pass over the pending records; requests abort with `signal` (leadership). */
  sweep(signal: AbortSignal): Promise<SweepResult>;
}

interface PendingRecord {
  metadata: ObjectMeta & { name: string };
  data?: { namespace?: string; uuid?: string };
}

export function createBootstrapCollector(o: BootstrapCollectorOptions): BootstrapCollector {
  const logger = o.logger ?? silentLogger;
  const now = o.now ?? Date.now;
  const collection = resourcePath(configMaps, { namespace: o.fsmNamespace });
  const selector = `${PENDING_LABEL}=true,${InjectorLabels.AppInstance}=${o.meshName}`;
  const ignoreMissing = (err: unknown) => {
    if (!isNotFound(err)) throw err;
  };

  return {
    async record(namespace, uuid) {
      await o.client.create(collection, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: pendingRecordName(uuid), namespace: o.fsmNamespace, labels: { [InjectorLabels.AppName]: APP_NAME, [InjectorLabels.AppInstance]: o.meshName, [PENDING_LABEL]: 'true' } },
        data: { namespace, uuid },
      });
    },

    async sweep(signal) {
      const list = await o.client.get<ObjectList<PendingRecord>>(collection, { query: { labelSelector: selector }, signal });
      let adopted = 0;
      let collected = 0;
      let pending = 0;
      for (const rec of list.items ?? []) {
        if (signal.aborted) break;
        const { namespace, uuid } = rec.data ?? {};
        const recordPath = resourcePath(configMaps, { namespace: o.fsmNamespace, name: rec.metadata.name });
        if (!namespace || !uuid) {
          await o.client.delete(recordPath, { signal }).catch(ignoreMissing);
          continue;
        }
        const secretPath = resourcePath(Resources.secrets, { namespace, name: bootstrapSecretName(uuid) });
        try {
          const pod = await o.findPod(namespace, uuid, signal);
          if (pod) {
            const owner = { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid };
            await o.client.patch(secretPath, { metadata: { ownerReferences: [owner] } }, 'merge', { signal }).catch(ignoreMissing);
            await o.client.delete(recordPath, { signal }).catch(ignoreMissing);
            adopted++;
            continue;
          }
          const created = Date.parse(rec.metadata.creationTimestamp ?? '');
          if (Number.isFinite(created) && now() - created > o.graceMs) {
            await o.client.delete(secretPath, { signal }).catch(ignoreMissing);
            await o.client.delete(recordPath, { signal }).catch(ignoreMissing);
            logger.info('deleted the bootstrap Secret of a pod that never appeared', { namespace, uuid, graceMs: o.graceMs });
            collected++;
            continue;
          }
          pending++;
        } catch (err) {
          if (signal.aborted) break;
          logger.warn('bootstrap Secret bookkeeping failed; retried at the next sweep', { namespace, uuid, error: errorMessage(err) });
          pending++;
        }
      }
      return { adopted, collected, pending };
    },
  };
}

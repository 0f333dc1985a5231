/**
 * SecretStorage as Kubernetes Secrets in one namespace (the control-plane
 * namespace), through @kubernetes/client-node. Create-or-load is a POST
 * that tolerates 409 AlreadyExists, exactly FSM's semantics for
 * `fsm-ca-bundle`. Secrets written here carry a label so `list` finds them.
 */
import { ApiException, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { checkSecretName, type SecretData, type SecretStorage } from './secret-storage.js';

export const MANAGED_LABEL = 'flomesh.io/fsm-certificate';

export interface KubeSecretStorageOptions {
  readonly kubeConfig: KubeConfig;
  /** The control-plane namespace (`fsm-system` in FSM's chart). */
  readonly namespace: string;
  /** Extra labels for created Secrets (FSM adds app.kubernetes.io/name and version). */
  readonly labels?: Readonly<Record<string, string>>;
}

const isStatus = (err: unknown, code: number) => err instanceof ApiException && err.code === code;

function decode(secret: V1Secret): SecretData {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

export function createKubeSecretStorage(options: KubeSecretStorageOptions): SecretStorage {
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = options.namespace;
  const body = (name: string, data: SecretData, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      labels: { ...options.labels, [MANAGED_LABEL]: 'true' },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  });

  const read = async (name: string): Promise<V1Secret | undefined> => {
    try {
      return await api.readNamespacedSecret({ name: checkSecretName(name), namespace });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  };

  return {
    description: `Secrets in namespace ${namespace}`,
    async createOrLoad(name, data) {
      checkSecretName(name);
      try {
        await api.createNamespacedSecret({ namespace, body: body(name, data) });
        return { data: { ...data }, created: true };
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
      const existing = await read(name);
      if (!existing) throw new Error(`Secret ${namespace}/${name} exists but cannot be read`);
      return { data: decode(existing), created: false };
    },
    async get(name) {
      const secret = await read(name);
      return secret && decode(secret);
    },
    async put(name, data) {
      checkSecretName(name);
      for (let attempt = 0; ; attempt++) {
        const existing = await read(name);
        try {
          if (!existing) await api.createNamespacedSecret({ namespace, body: body(name, data) });
          else await api.replaceNamespacedSecret({ name, namespace, body: body(name, data, existing.metadata?.resourceVersion) });
          return;
        } catch (err) {
          // A concurrent writer won (409): read again and retry a few times.
          if (attempt >= 3 || !isStatus(err, 409)) throw err;
        }
      }
    },
    async delete(name) {
      try {
        await api.deleteNamespacedSecret({ name: checkSecretName(name), namespace });
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
    },
    async list(prefix) {
      const list = await api.listNamespacedSecret({ namespace, labelSelector: `${MANAGED_LABEL}=true` });
      return list.items
        .map((s) => s.metadata?.name ?? '')
        .filter((n) => n.startsWith(prefix))
        .sort();
    },
  };
}

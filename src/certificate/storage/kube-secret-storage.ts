/**
 * SecretStorage as Kubernetes Secrets in one namespace (the control-plane
 * namespace), through the project's Kubernetes client. Create-or-load is a
 * POST that tolerates 409 AlreadyExists, exactly FSM's semantics for
 * `fsm-ca-bundle`; `replaceIf` is a PUT with the resourceVersion read, so a
 * concurrent writer makes it fail (409) rather than be overwritten. Secrets
 * written here carry a label, so `list` and `watch` find them.
 */
import { createBackoff, systemClock, type Clock } from '../../shared/backoff.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../kubernetes/errors.js';
import type { KubeClient } from '../../kubernetes/kube-client.js';
import { createListWatch } from '../../kubernetes/list-watch.js';
import { Resources, resourcePath, type ObjectList, type ObjectMeta } from '../../kubernetes/paths.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { checkSecretName, sameSecretData, type SecretData, type SecretStorage } from './secret-storage.js';

export const MANAGED_LABEL = 'flomesh.io/fsm-certificate';

export interface KubeSecretStorageOptions {
  readonly client: KubeClient;
  /** The control-plane namespace (`fsm-system` in FSM's chart). */
  readonly namespace: string;
  /** Extra labels for created Secrets (FSM adds app.kubernetes.io/name and version). */
  readonly labels?: Readonly<Record<string, string>>;
  /** For `watch` (its list/watch loop). */
  readonly logger?: Logger;
  readonly clock?: Clock;
}

interface Secret {
  metadata: ObjectMeta & { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

function decode(secret: Secret): SecretData {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret.stringData ?? {})) out[k] = v;
  return out;
}

/** How many times `put`/`replaceIf` re-read after losing a write race before giving up. */
const MAX_ATTEMPTS = 4;

export function createKubeSecretStorage(options: KubeSecretStorageOptions): SecretStorage {
  const { client, namespace } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const collection = resourcePath(Resources.secrets, { namespace });
  const objectPath = (name: string) => resourcePath(Resources.secrets, { namespace, name: checkSecretName(name) });
  const body = (name: string, data: SecretData, resourceVersion?: string): Secret & Record<string, unknown> => ({
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

  const read = async (name: string): Promise<Secret | undefined> => {
    try {
      return await client.get<Secret>(objectPath(name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };

  /** POST; false when the name is taken. */
  const create = async (name: string, data: SecretData): Promise<boolean> => {
    try {
      await client.create(collection, body(name, data));
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  };

  /** PUT with the resourceVersion read; false when someone wrote in between (409) or deleted it (404). */
  const replace = async (secret: Secret, data: SecretData): Promise<boolean> => {
    try {
      await client.update(objectPath(secret.metadata.name), body(secret.metadata.name, data, secret.metadata.resourceVersion));
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  };

  const storage: SecretStorage = {
    description: `Secrets in namespace ${namespace}`,
    async createOrLoad(name, data) {
      checkSecretName(name);
      if (await create(name, data)) return { data: { ...data }, created: true };
      const existing = await read(name);
      if (!existing) throw new Error(`Secret ${namespace}/${name} exists but cannot be read`);
      return { data: decode(existing), created: false };
    },
    async get(name) {
      const secret = await read(name);
      return secret && decode(secret);
    },
    async put(name, data) {
      for (let attempt = 1; ; attempt++) {
        const existing = await read(name);
        if (existing ? await replace(existing, data) : await create(name, data)) return;
        if (attempt >= MAX_ATTEMPTS) throw new Error(`Secret ${namespace}/${name}: lost ${attempt} write races in a row`);
      }
    },
    async replaceIf(name, expected, data) {
      for (let attempt = 1; ; attempt++) {
        const existing = await read(name);
        const current = existing && decode(existing);
        if (!sameSecretData(current, expected)) return { data: current ?? {}, written: false };
        if (existing ? await replace(existing, data) : await create(name, data)) return { data: { ...data }, written: true };
        // Someone wrote between our read and our write: what they wrote decides (read again).
        if (attempt >= MAX_ATTEMPTS) throw new Error(`Secret ${namespace}/${name}: lost ${attempt} write races in a row`);
      }
    },
    async delete(name) {
      try {
        await client.delete(objectPath(name));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
    async list(prefix) {
      const list = await client.get<ObjectList<Secret>>(collection, { query: { labelSelector: `${MANAGED_LABEL}=true` } });
      return (list.items ?? [])
        .map((s) => s.metadata.name)
        .filter((n) => n.startsWith(prefix))
        .sort();
    },
    watch(prefix, onChange) {
      const controller = new AbortController();
      const loop = createListWatch<Secret>({
        id: `Secrets ${namespace} ${MANAGED_LABEL}`,
        path: collection,
        labelSelector: `${MANAGED_LABEL}=true`,
        client,
        clock,
        backoff: createBackoff({ initialMs: 500, maxMs: 30_000 }),
        pageSize: 500,
        inactivityMs: 5 * 60_000,
        watchTimeoutSeconds: () => 240 + Math.floor(Math.random() * 30),
        unavailableRetryMs: 60_000,
        logger,
        signal: controller.signal,
        decode: (raw) => raw as unknown as Secret,
        stub: (k) => ({ metadata: { name: k.name } }),
        emit: (events) => {
          for (const e of events) {
            const name = e.object.metadata.name;
            if (!name.startsWith(prefix)) continue;
            try {
              onChange(name, e.type === 'delete' ? undefined : decode(e.object));
            } catch (err) {
              logger.error('secret watch listener threw', { name, error: String(err) });
            }
          }
        },
        report: (problem) => {
          if (problem) logger.warn('watching certificate Secrets', { namespace, problem });
        },
        settled: () => undefined,
      });
      const running = loop.run();
      return () => {
        controller.abort();
        void running;
      };
    },
  };
  return storage;
}

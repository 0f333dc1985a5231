/**
 * Where the certificate module keeps what must survive a restart: the root
 * CA (`fsm-ca-bundle`, keys `ca.crt` and `private.key`) and the issued
 * workload certificates. Two backends: files under `--state-dir`
 * (file-storage.ts) and Kubernetes Secrets (kube-secret-storage.ts); an
 * in-memory one for library users and tests.
 *
 * Entries are small string maps. Names are Kubernetes object names
 * (lower-case alphanumerics, '-' and '.'), so every backend accepts the same set.
 */
export type SecretData = Readonly<Record<string, string>>;

export interface SecretStorage {
  /** Short description for logs, e.g. "files in /var/lib/fsm" or "Secrets in fsm-system". */
  readonly description: string;
  /**
   * Stores `data` under `name` unless an entry exists; returns what is
   * stored afterwards. Atomic: when several processes race, exactly one
   * creates and every caller gets the winner's data (FSM's create-or-load).
   */
  createOrLoad(name: string, data: SecretData): Promise<{ data: SecretData; created: boolean }>;
  /** The entry, or undefined when absent. */
  get(name: string): Promise<SecretData | undefined>;
  /** Creates or replaces the entry. */
  put(name: string, data: SecretData): Promise<void>;
  /** Removes the entry; absent entries are not an error. */
  delete(name: string): Promise<void>;
  /** Names of the entries that start with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Throws when `name` is not a valid entry name (see SecretStorage). */
export function checkSecretName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) throw new RangeError(`invalid secret name "${name}"`);
  return name;
}

/** An in-memory storage (lost on exit). */
export function createMemorySecretStorage(): SecretStorage {
  const entries = new Map<string, SecretData>();
  return {
    description: 'memory',
    async createOrLoad(name, data) {
      checkSecretName(name);
      const existing = entries.get(name);
      if (existing) return { data: existing, created: false };
      entries.set(name, { ...data });
      return { data: { ...data }, created: true };
    },
    async get(name) {
      return entries.get(checkSecretName(name));
    },
    async put(name, data) {
      entries.set(checkSecretName(name), { ...data });
    },
    async delete(name) {
      entries.delete(checkSecretName(name));
    },
    async list(prefix) {
      return [...entries.keys()].filter((n) => n.startsWith(prefix)).sort();
    },
  };
}

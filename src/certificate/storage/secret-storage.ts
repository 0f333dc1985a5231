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
  /**
   * Compare-and-swap: writes `data` only if the entry's current content
   * equals `expected` (undefined: only if the entry is absent). Returns what
   * is stored afterwards and whether this call wrote it. Atomic against
   * other users of the same backend (Kubernetes: the resourceVersion
   * precondition), so several replicas converge on one value.
   */
  replaceIf(name: string, expected: SecretData | undefined, data: SecretData): Promise<{ data: SecretData; written: boolean }>;
  /** Removes the entry; absent entries are not an error. */
  delete(name: string): Promise<void>;
  /** Names of the entries that start with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Follows writes to entries starting with `prefix` (data undefined: deleted),
   * including other processes' writes where the backend is shared (Kubernetes
   * Secrets). Absent for backends only one process uses (files). Listeners
   * must not throw. Returns the function that stops following.
   */
  watch?(prefix: string, onChange: (name: string, data: SecretData | undefined) => void): () => void;
}

/** Whether two entries hold the same keys and values. */
export function sameSecretData(a: SecretData | undefined, b: SecretData | undefined): boolean {
  if (!a || !b) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Throws when `name` is not a valid entry name (see SecretStorage). */
export function checkSecretName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) throw new RangeError(`invalid secret name "${name}"`);
  return name;
}

/** An in-memory storage (lost on exit); `watch` sees every write made through this instance. */
export function createMemorySecretStorage(): SecretStorage {
  const entries = new Map<string, SecretData>();
  const watchers = new Set<{ prefix: string; onChange: (name: string, data: SecretData | undefined) => void }>();
  const notify = (name: string, data: SecretData | undefined) => {
    for (const w of [...watchers]) if (name.startsWith(w.prefix)) w.onChange(name, data);
  };
  return {
    description: 'memory',
    async createOrLoad(name, data) {
      checkSecretName(name);
      const existing = entries.get(name);
      if (existing) return { data: existing, created: false };
      entries.set(name, { ...data });
      notify(name, data);
      return { data: { ...data }, created: true };
    },
    async get(name) {
      return entries.get(checkSecretName(name));
    },
    async put(name, data) {
      entries.set(checkSecretName(name), { ...data });
      notify(name, data);
    },
    async replaceIf(name, expected, data) {
      const current = entries.get(checkSecretName(name));
      if (!sameSecretData(current, expected)) return { data: current ?? {}, written: false };
      entries.set(name, { ...data });
      notify(name, data);
      return { data: { ...data }, written: true };
    },
    async delete(name) {
      if (entries.delete(checkSecretName(name))) notify(name, undefined);
    },
    async list(prefix) {
      return [...entries.keys()].filter((n) => n.startsWith(prefix)).sort();
    },
    watch(prefix, onChange) {
      const w = { prefix, onChange };
      watchers.add(w);
      return () => watchers.delete(w);
    },
  };
}

/**
 * SecretStorage as files: entry `name` is the directory `<dir>/<name>/`
 * holding one file per key (so `fsm-ca-bundle/ca.crt` can be read with
 * openssl). Directories are mode 0700 and files 0600: only the owner reads
 * private keys. One process owns a state directory: `replaceIf` compares and
 * writes without a lock between processes (create-or-load alone is atomic),
 * and there is no `watch`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkSecretName, sameSecretData, type SecretData, type SecretStorage } from './secret-storage.js';

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export interface FileSecretStorageOptions {
  /** The state directory (`--state-dir`); created (0700) when missing. */
  readonly dir: string;
}

export function createFileSecretStorage(options: FileSecretStorageOptions): SecretStorage {
  const root = options.dir;
  let prepared: Promise<void> | undefined;
  const prepare = () =>
    (prepared ??= (async () => {
      await mkdir(root, { recursive: true, mode: 0o700 });
      await chmod(root, 0o700);
    })());

  const checkKeys = (data: SecretData) => {
    for (const key of Object.keys(data)) if (!KEY.test(key)) throw new RangeError(`invalid secret key "${key}"`);
  };

  const writeEntryDir = async (dir: string, data: SecretData) => {
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, 0o700);
    for (const [key, value] of Object.entries(data)) {
      await writeFile(join(dir, key), value, { mode: 0o600 });
    }
  };

  const read = async (name: string): Promise<SecretData | undefined> => {
    const dir = join(root, checkSecretName(name));
    let keys: string[];
    try {
      keys = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const out: Record<string, string> = {};
    for (const key of keys.sort()) {
      if (key.startsWith('.')) continue;
      out[key] = await readFile(join(dir, key), 'utf8');
    }
    return out;
  };

  const tmpName = (name: string) => join(root, `.tmp-${name}-${randomBytes(6).toString('hex')}`);

  const storage: SecretStorage = {
    description: `files in ${root}`,
    async createOrLoad(name, data) {
      checkSecretName(name);
      checkKeys(data);
      await prepare();
      const tmp = tmpName(name);
      await writeEntryDir(tmp, data);
      try {
        // rename(2) of a directory onto an existing non-empty one fails: the
        // first process to rename wins, the others load its entry.
        await rename(tmp, join(root, name));
        return { data: { ...data }, created: true };
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        const existing = await read(name);
        if (!existing) throw new Error(`secret ${name} vanished during create-or-load`, { cause: err });
        return { data: existing, created: false };
      }
    },
    async get(name) {
      await prepare();
      return read(name);
    },
    async put(name, data) {
      checkSecretName(name);
      checkKeys(data);
      await prepare();
      const dir = join(root, name);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      // Each key is replaced atomically (write a temp file, rename over).
      for (const [key, value] of Object.entries(data)) {
        const tmp = join(dir, `.${key}.${randomBytes(4).toString('hex')}`);
        await writeFile(tmp, value, { mode: 0o600 });
        await rename(tmp, join(dir, key));
      }
      for (const key of await readdir(dir)) {
        if (!key.startsWith('.') && !(key in data)) await rm(join(dir, key), { force: true });
      }
    },
    async replaceIf(name, expected, data) {
      if (expected === undefined) {
        const { data: stored, created } = await storage.createOrLoad(name, data);
        return { data: stored, written: created };
      }
      const current = await storage.get(name);
      if (!sameSecretData(current, expected)) return { data: current ?? {}, written: false };
      await storage.put(name, data);
      return { data: { ...data }, written: true };
    },
    async delete(name) {
      await prepare();
      await rm(join(root, checkSecretName(name)), { recursive: true, force: true });
    },
    async list(prefix) {
      await prepare();
      const names = await readdir(root);
      return names.filter((n) => !n.startsWith('.') && n.startsWith(prefix)).sort();
    },
  };
  return storage;
}

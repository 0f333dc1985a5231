import { createModelStore, type ModelStore } from '../../model/store.js';
import { createFileSource } from '../../sources/file/file-source.js';
import type { FileLimits } from '../../shared/file-limits.js';

/**
 * Reads a manifest directory once into a fresh model store (for one-shot
 * commands). The file source is closed before returning, so nothing keeps
 * the process alive; an unreadable directory rejects.
 */
export async function loadDirectory(dir: string, names: { meshName: string; fsmNamespace: string }, limits?: FileLimits): Promise<ModelStore> {
  const store = createModelStore(names);
  const files = createFileSource({ dir, rescanIntervalMs: 0, ...(limits ? { limits } : {}) });
  files.start({
    onEvents: (events) => {
      store.apply(events);
    },
    onProblems: (scope, problems) => store.setSourceProblems(scope, problems),
  });
  try {
    await files.ready;
  } finally {
    await files.close();
  }
  return store;
}

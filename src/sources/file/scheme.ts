import { defineSourceScheme } from '../scheme.js';
import { createFileSource } from './file-source.js';

/** `--source file:DIR`: the manifests under DIR. */
export const fileSourceScheme = defineSourceScheme<{ dir: string }>({
  scheme: 'file',
  usage: 'file:DIR',
  parse(arg) {
    if (arg === '') throw new Error('a directory is required after "file:"');
    return { dir: arg };
  },
  create: ({ dir }, { logger, manifestLimits }) => createFileSource({ dir, logger, ...(manifestLimits ? { limits: manifestLimits } : {}) }),
});

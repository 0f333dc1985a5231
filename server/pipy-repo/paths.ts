import type { Codebase, CodebaseProvider } from './types.js';

/** A request path resolved against the known codebases. */
export interface ResolvedPath {
  /** The codebase name, e.g. `fsm-sidecar/<uuid>.sidecar.<sa>.<ns>`. */
  readonly name: string;
  readonly codebase: Codebase;
  /**
   * What follows the codebase name: "" or "/" for the codebase itself (the
   * manifest, status reports), `/<file path>` for a file, `/<instance-id>`
   * for a WebSocket admin link.
   */
  readonly rest: string;
}

const PREFIX = '/repo/';
// Codebase names are a few segments deep; a longer path is not worth probing for.
const MAX_SEGMENTS = 32;

/**
 * Resolves `/repo/<codebase name>/<rest>` by trying the longest prefix of
 * segments that names a known codebase. Names may contain slashes, so the
 * split cannot be made without asking the provider. Returns undefined for
 * anything outside `/repo/`, for `/repo` itself, and for unknown codebases.
 */
export function resolveRepoPath(pathname: string, provider: CodebaseProvider): ResolvedPath | undefined {
  if (!pathname.startsWith(PREFIX)) return undefined;
  const raw = pathname.slice(PREFIX.length).split('/');
  if (raw.length > MAX_SEGMENTS) return undefined;
  const segments: string[] = [];
  for (const s of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      return undefined;
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/')) return undefined;
    segments.push(decoded);
  }
  for (let k = segments.length; k >= 1; k--) {
    const nameSegments = segments.slice(0, k);
    if (nameSegments.some((s) => s === '')) continue;
    const name = nameSegments.join('/');
    const codebase = provider.get(name);
    if (codebase) {
      const rest = k < segments.length ? '/' + segments.slice(k).join('/') : '';
      return { name, codebase, rest };
    }
  }
  return undefined;
}

import type { Codebase } from '../../cache/codebase.js';
import type { CodebaseProvider } from './types.js';

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
  // What sidecars ask for: no escapes, no dot or empty segments. Such a path is resolved where it
  // lies, without splitting it (this runs for every request); anything else takes the general way.
  if (!pathname.includes('%') && !pathname.includes('/.') && !pathname.includes('//')) return resolvePlain(pathname, provider);
  const raw = pathname.slice(PREFIX.length).split('/');
  if (raw.length > MAX_SEGMENTS) return undefined;
  const segments: string[] = [];
  for (const s of raw) {
    let decoded = s;
    // Sidecar paths carry no escapes; decode only when there is one.
    if (s.includes('%')) {
      try {
        decoded = decodeURIComponent(s);
      } catch {
        return undefined;
      }
      if (decoded.includes('/')) return undefined;
    }
    if (decoded === '.' || decoded === '..') return undefined;
    segments.push(decoded);
  }
  // Candidate names, shortest first; an empty segment ends the candidates (names have none).
  const names: string[] = [];
  for (let k = 0; k < segments.length && segments[k] !== ''; k++) {
    names.push(k === 0 ? (segments[0] as string) : `${names[k - 1]}/${segments[k]}`);
  }
  for (let k = names.length; k >= 1; k--) {
    const name = names[k - 1] as string;
    const codebase = provider.get(name);
    if (codebase) {
      const rest = k < segments.length ? '/' + segments.slice(k).join('/') : '';
      return { name, codebase, rest };
    }
  }
  return undefined;
}

/**
 * `resolveRepoPath` for a path with no escapes and no dot or empty segments:
 * the same answer, read off the path. A candidate name ends at each `/`
 * after the prefix, and at the end unless the path ends with `/` (whose
 * empty last segment no name has); the longest known one wins.
 */
function resolvePlain(pathname: string, provider: CodebaseProvider): ResolvedPath | undefined {
  let segments = 1;
  for (let i = PREFIX.length; i < pathname.length; i++) if (pathname.charCodeAt(i) === SLASH) segments++;
  if (segments > MAX_SEGMENTS) return undefined;
  let end = pathname.charCodeAt(pathname.length - 1) === SLASH ? pathname.lastIndexOf('/', pathname.length - 1) : pathname.length;
  while (end > PREFIX.length) {
    const name = pathname.slice(PREFIX.length, end);
    const codebase = provider.get(name);
    if (codebase) return { name, codebase, rest: pathname.slice(end) };
    end = pathname.lastIndexOf('/', end - 1);
  }
  return undefined;
}

const SLASH = 0x2f;

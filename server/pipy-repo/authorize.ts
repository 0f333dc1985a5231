import type { RepoAuthorizer } from './types.js';

export interface CommonNameAuthorizerOptions {
  /** The mesh trust domain appended to bootstrap certificate CNs, e.g. `cluster.local`. */
  trustDomain: string;
  /** The codebase-name prefix of sidecar codebases (default `fsm-sidecar/`). */
  codebasePrefix?: string;
}

/**
 * The default repo authorizer: a proxy may read only its own codebase. A
 * sidecar's bootstrap certificate has CN `<uuid>.sidecar.<sa>.<ns>.<trustDomain>`
 * and its codebase is `<prefix><uuid>.sidecar.<sa>.<ns>`; the two must match
 * exactly. Any other codebase (another proxy's, or one outside the prefix)
 * is refused.
 */
export function createCommonNameAuthorizer(opts: CommonNameAuthorizerOptions): RepoAuthorizer {
  const prefix = opts.codebasePrefix ?? 'fsm-sidecar/';
  const suffix = '.' + opts.trustDomain;
  return (peer, codebaseName) => {
    const cn = peer.subject?.CN;
    if (typeof cn !== 'string' || !cn.endsWith(suffix)) return new Error('client certificate CN is not in the mesh trust domain');
    if (!codebaseName.startsWith(prefix)) return new Error(`codebase ${codebaseName} is not a sidecar codebase`);
    if (cn.slice(0, -suffix.length) !== codebaseName.slice(prefix.length)) {
      return new Error(`certificate ${cn} may not read codebase ${codebaseName}`);
    }
    return true;
  };
}

import { codebaseOf, type Codebase } from '../../cache/codebase.js';
import { TypeUrl, type Cancel, type ConfigWatcher, type DeltaResponse, type NodeInfo, type Subscription } from '../../cache/types.js';
import type { Logger } from '../../src/shared/logger.js';

/**
 * The repo server's view of the codebases in a cache: one wildcard delta
 * watch on `fsm.pipy.v1.Codebase`, re-armed after every answer, like an xDS
 * stream that subscribed to every codebase. Each answer updates the
 * name → Codebase map requests are served from, then `onChange` hears the
 * names that changed or went away (the server sends `reload` on their
 * admin links).
 */
export interface CodebaseFeed {
  /** The current codebase of `name`: a map lookup, called on every request. */
  get(name: string): Codebase | undefined;
  readonly size: number;
  /** Opens the watch; the first answer carries every codebase the cache holds. Call once. */
  start(onChange: (names: readonly string[]) => void): void;
  /** Cancels the watch. Idempotent. */
  close(): void;
}

/** The node the repo server watches as; the stream id keeps clear of the xDS server's (positive) ids. */
const REPO_NODE: NodeInfo = Object.freeze({ id: 'pipy-repo', cluster: '' });
const REPO_STREAM_ID = -1;

export function createCodebaseFeed(watcher: ConfigWatcher, logger: Logger): CodebaseFeed {
  const codebases = new Map<string, Codebase>();
  // What the feed holds, as the cache issued it: responses' `returned` maps are immutable, so
  // the subscription can hand the last one back without copying.
  let held: ReadonlyMap<string, string> = new Map();
  const subscription: Subscription = {
    wildcard: true,
    names: new Set(),
    get returned() {
      return held;
    },
  };
  let cancel: Cancel | undefined;
  let started = false;
  let closed = false;

  const arm = (onChange: (names: readonly string[]) => void): void => {
    if (closed) return;
    let fired = false;
    const respond = (res: DeltaResponse): void => {
      fired = true;
      const changed: string[] = [];
      for (const r of res.resources) {
        const codebase = codebaseOf(r);
        if (!codebase) {
          logger.warn('repo feed: a resource of the codebase type carries no codebase', { name: r.name });
          continue;
        }
        codebases.set(r.name, codebase);
        changed.push(r.name);
      }
      for (const name of res.removed) {
        codebases.delete(name);
        changed.push(name);
      }
      held = res.returned;
      // Re-arm first: a callback that publishes again must find a watch pending.
      arm(onChange);
      if (changed.length) onChange(changed);
    };
    const c = watcher.createDeltaWatch({ node: REPO_NODE, typeUrl: TypeUrl.PipyCodebase, versionInfo: '' }, subscription, respond);
    // An answer given inside createDeltaWatch has already armed the next watch.
    if (!fired) cancel = c;
  };

  return {
    get: (name) => codebases.get(name),
    get size() {
      return codebases.size;
    },
    start(onChange) {
      if (started) throw new Error('codebase feed already started');
      started = true;
      watcher.streamOpened(REPO_STREAM_ID, REPO_NODE);
      arm(onChange);
    },
    close() {
      if (closed) return;
      closed = true;
      cancel?.();
      watcher.streamClosed(REPO_STREAM_ID, REPO_NODE);
    },
  };
}

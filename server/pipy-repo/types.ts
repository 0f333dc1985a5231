import type { PeerCertificate } from 'node:tls';
import type { Codebase } from '../../cache/codebase.js';
import type { ConfigWatcher } from '../../cache/types.js';
import type { Logger } from '../../src/shared/logger.js';

/** Looks up the current codebase of a name (a cheap in-memory lookup, called on every request). */
export interface CodebaseProvider {
  get(name: string): Codebase | undefined;
}

/** What the server knows about one running Pipy instance of a codebase. */
export interface InstanceRecord {
  readonly codebase: string;
  /** The instance uuid from the status report or the WebSocket path. */
  readonly instanceId: string;
  /** The remote address of the last report or WebSocket. */
  readonly address: string;
  /** The codebase version the instance reports running ("" until its first report). */
  readonly version: string;
  /** The instance's own name field, if reported. */
  readonly name: string;
  /** Epoch milliseconds of the last status report (0 if it has only a WebSocket). */
  readonly reportedAt: number;
  /** Whether the instance's admin-link WebSocket is open now. */
  readonly linked: boolean;
}

/** A status report as received (Pipy posts `{timestamp, since, uuid, name, ip, version, …}`). */
export interface StatusReport {
  readonly codebase: string;
  readonly address: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly record: InstanceRecord;
}

/** A client finished downloading a codebase version (see `onFetched`). */
export interface FetchedEvent {
  readonly codebase: string;
  readonly version: string;
  readonly address: string;
}

/**
 * Decides whether the holder of a verified client certificate may read a
 * codebase. Return true to allow; false or an Error (its message is sent) to
 * answer 403.
 */
export type RepoAuthorizer = (peer: PeerCertificate, codebaseName: string) => boolean | Error;

/** PEM key material of the repo's HTTPS listener. */
export interface PipyRepoTlsMaterial {
  /** PEM server key and certificate chain. */
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** PEM CA bundle that client certificates must chain to (the mesh CA). */
  readonly ca: string | Buffer;
}

export interface PipyRepoTlsOptions extends PipyRepoTlsMaterial {
  readonly authorize: RepoAuthorizer;
}

/** An admin-link WebSocket opened or closed (see `onLinkChange`). */
export interface LinkEvent {
  readonly codebase: string;
  readonly instanceId: string;
  readonly address: string;
  /** True when the link opened, false when it closed. */
  readonly linked: boolean;
}

/**
 * Something the repo owed a client did not reach it: a `reload` frame that
 * failed to send on an admin link, or a response whose connection closed or
 * errored before the response was fully written.
 */
export interface SendErrorEvent {
  /** The codebase the frame or response was for. */
  readonly codebase: string;
  readonly kind: 'reload' | 'response';
  readonly address: string;
  readonly reason: string;
}

export interface PipyRepoServerOptions {
  /** `host:port`; port 0 picks a free port. */
  readonly listen: string;
  /**
   * Where the codebases come from: any cache serving `fsm.pipy.v1.Codebase`
   * resources made by `createCodebaseResource` (normally a linear cache of
   * that type), read through the watch interface the xDS server uses. Names
   * have no leading or trailing slash and may contain slashes, e.g.
   * `fsm-sidecar/<uuid>.sidecar.<sa>.<ns>`. A changed codebase gets `reload`
   * on its admin links; a removed one has its links closed.
   */
  readonly codebases: ConfigWatcher;
  /** With TLS the server requires a client certificate chaining to `ca`, and authorizes each codebase. */
  readonly tls?: PipyRepoTlsOptions;
  readonly logger?: Logger;
  /** Called for every accepted status report, after it is recorded. Must not throw. */
  readonly onStatus?: (report: StatusReport) => void;
  /**
   * Called when a client has fetched a whole codebase version: on the GET of
   * the last file the manifest lists (Pipy fetches the manifest, then every
   * file in order). Lets the controller measure convergence without waiting
   * for the next status report. Must not throw.
   */
  readonly onFetched?: (event: FetchedEvent) => void;
  /**
   * Called when an admin-link WebSocket opens or closes: once with
   * `linked: true` per accepted link, and once with `linked: false` when that
   * link closes (a link replaced by a newer one of the same instance closes
   * too; see admin-links.ts for when a newer link may replace one). Not called
   * for links still open at `close()`. Must not throw.
   */
  readonly onLinkChange?: (event: LinkEvent) => void;
  /** Called when a `reload` frame was handed to the link's socket (sent, not necessarily processed). Must not throw. */
  readonly onReloadSent?: (event: { readonly codebase: string; readonly instanceId: string }) => void;
  /** Called once per `reload` or response that failed to reach its client (see `SendErrorEvent`). Must not throw. */
  readonly onSendError?: (event: SendErrorEvent) => void;
  /** Forget instances that neither reported nor kept a WebSocket for this long (default 60 s). */
  readonly instanceTtlMs?: number;
  /** Largest accepted status report body, chunked or not (default 256 KiB); larger ones get 413. */
  readonly maxStatusBytes?: number;
  /** Instances remembered without an open admin link (default 50,000); the least recently seen is forgotten first. */
  readonly maxInstances?: number;
  /** Open TCP connections (default 10,000); more are closed as they are accepted. */
  readonly maxConnections?: number;
  /** With `tls`, a connection must finish its handshake within this long (default 5 s). */
  readonly handshakeTimeoutMs?: number;
  /** Admin-link WebSockets per codebase (default 64); more are refused with 503. */
  readonly maxLinksPerCodebase?: number;
  /**
   * Interval of WebSocket pings (default 30 s). A link is closed when it
   * showed no sign of life for two intervals: no pong and, since Pipy never
   * answers pings, no status report of its instance from its address.
   */
  readonly pingIntervalMs?: number;
}

export interface PipyRepoServerStats {
  readonly requests: number;
  readonly openSockets: number;
  /** Connections closed on accept because `maxConnections` were open. */
  readonly droppedConnections: number;
  readonly openLinks: number;
  readonly reloadsSent: number;
  /** Codebases the server knows (from its cache feed). */
  readonly codebases: number;
}

export interface PipyRepoServer {
  /** Binds the port; resolves with the bound port. Call once. */
  start(): Promise<{ host: string; port: number }>;
  /** Known instances, most recent first; for debug output. */
  instances(): readonly InstanceRecord[];
  stats(): PipyRepoServerStats;
  /**
   * Replaces the HTTPS key, certificate and client CA for new connections
   * (certificate renewal, root rotation); established connections and admin
   * links keep the material they were accepted with. Only for a server
   * created with `tls`; callable before and after `start`.
   */
  setTls(material: PipyRepoTlsMaterial): void;
  /** Stops accepting, closes WebSockets and open sockets. Idempotent. */
  close(): Promise<void>;
}

/**
 * Defaults of the limits that bound what a peer — authenticated or not — can
 * make this process hold: connections, buffered bytes, remembered state,
 * debug output. Every such default lives here; the options that override them
 * are named beside each, and docs/hardening.md explains them for users.
 */
export const LIMIT_DEFAULTS = {
  /** Open TCP connections on the xDS port; more are closed as they are accepted (`XdsServerLimits.maxConnections`). */
  xdsMaxConnections: 10_000,
  /** Open TCP connections on the Pipy repo port (`PipyRepoServerOptions.maxConnections`). */
  repoMaxConnections: 10_000,
  /** Open TCP connections on the admin port: kubelet probes and Prometheus need a few (`AdminServerOptions.maxConnections`). */
  adminMaxConnections: 256,
  /**
   * An xDS or repo connection must finish its TLS handshake (and, on the xDS
   * port, send the HTTP/2 client preface) within this long, or it is closed
   * (`XdsServerLimits.handshakeTimeoutMs`, `PipyRepoServerOptions.handshakeTimeoutMs`).
   */
  handshakeTimeoutMs: 5_000,
  /** An xDS connection without a stream (past its preface) is closed after this (`XdsKeepaliveOptions.maxConnectionIdleMs`). */
  xdsMaxConnectionIdleMs: 60_000,
  /** Encoded size of the node fields an xDS stream keeps (id, cluster, metadata, user agent); a larger node ends the stream (`XdsServerLimits.maxNodeBytes`). */
  maxNodeBytes: 64 * 1024,
  /** Largest Pipy status report (real ones with FSM's scripts are 19–27 KB; `PipyRepoServerOptions.maxStatusBytes`). */
  maxStatusBytes: 256 * 1024,
  /** Longest `name` or `version` of a status report the repo keeps; a longer one refuses the report (uuids are at most 128). */
  maxStatusFieldChars: 256,
  /** Pipy instances remembered without an open admin link; the least recently seen is forgotten first (`PipyRepoServerOptions.maxInstances`). */
  maxInstances: 50_000,
  /** Admin-link WebSockets per codebase (a sidecar codebase has one instance; `PipyRepoServerOptions.maxLinksPerCodebase`). */
  maxLinksPerCodebase: 64,
  /**
   * Admin port: a request head must arrive within this, from the connection's
   * start or the previous answer, and an idle keep-alive connection is closed
   * after it (`AdminServerOptions.headersTimeoutMs`).
   */
  adminHeadersTimeoutMs: 5_000,
  /** Debug views: entries per page when `limit` is not given, and the most a page may hold. */
  debugPageSize: 100,
  debugMaxPageSize: 1_000,
} as const;

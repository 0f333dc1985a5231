import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../../src/shared/logger.js';
import type { RequestHead } from './http1-parser.js';
import type { CodebaseProvider } from './types.js';

interface Link {
  readonly ws: WebSocket;
  readonly instanceId: string;
  readonly address: string;
  /** The client certificate's SHA-256 fingerprint with TLS; undefined in plain mode. */
  readonly credential: string | undefined;
  /** The codebase version this instance was last told about (at connect, or by the last `reload`). */
  announced: string;
  /** When the instance last showed it is alive: the link opened, a pong, or a status report from the link's address. */
  lastSign: number;
}

export interface AdminLinksOptions {
  codebases: CodebaseProvider;
  logger: Logger;
  pingIntervalMs: number;
  /** Open links per codebase; a link for a new instance past it is refused with 503. */
  maxLinksPerCodebase: number;
  /** Called when a link opens or closes (a replaced link closes before its successor opens). */
  onLinkChange(codebase: string, instanceId: string, address: string, linked: boolean): void;
  /** Called when a `reload` frame was written to the link's socket, or failed to be (`error`). */
  onReloadResult(codebase: string, instanceId: string, address: string, error: Error | undefined): void;
  now?: () => number;
}

/** Why a link may not open now: the HTTP status to answer the upgrade with, and the reason. */
export interface LinkRefusal {
  readonly status: 409 | 503;
  readonly reason: string;
}

/** Who asks to open a link. */
export interface LinkPeer {
  readonly codebase: string;
  readonly instanceId: string;
  readonly address: string;
  /** The client certificate's fingerprint with TLS (the proof that a newer link is the same instance). */
  readonly credential?: string;
}

/**
 * Pipy's admin links: one WebSocket per running instance, at
 * `<codebase path><instance-id>`, over which the repo sends the text frame
 * `reload` when the codebase version changes. A version is announced at most
 * once per link, so repeated notifications of an unchanged codebase are silent.
 *
 * Liveness: Pipy 1.5.14 never answers WebSocket pings (its admin link only
 * decodes frames), but it posts a status report every 5 s from the same
 * address. A link is alive while it showed a sign of life — it opened, a
 * pong, or a report of its instance from its address — within two ping
 * intervals; the periodic ping round closes links that did not.
 *
 * A second link with an instance id already linked replaces the first only
 * with proof that it is the same instance or that the first is dead: with TLS
 * the same client certificate; in plain mode the same remote address (Pipy
 * reconnecting from its pod); otherwise only a first link that is no longer
 * alive is replaced, and while it is alive the newcomer is refused with 409.
 */
export interface AdminLinks {
  /** Whether `peer` may open a link now; undefined when it may. Call before completing the upgrade. */
  admit(peer: LinkPeer): LinkRefusal | undefined;
  /**
   * Completes a WebSocket upgrade for an already-authorized and admitted
   * peer; `rest` holds bytes the peer sent after the request head.
   */
  accept(head: RequestHead, socket: Socket, rest: Buffer, peer: LinkPeer, version: string): void;
  /** A status report of `instanceId` arrived from `address`: a sign of life of its link from that address. */
  noteReport(codebase: string, instanceId: string, address: string): void;
  /** Sends `reload` to each link of the named codebases whose announced version is stale. Returns how many were sent. */
  notifyChanged(names: Iterable<string>): number;
  readonly size: number;
  close(): void;
}

export function createAdminLinks(opts: AdminLinksOptions): AdminLinks {
  const now = opts.now ?? Date.now;
  // The admin link carries one short text frame; anything large is abuse.
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const byCodebase = new Map<string, Map<string, Link>>();
  const livenessMs = 2 * opts.pingIntervalMs;
  let size = 0;

  const alive = (link: Link) => now() - link.lastSign < livenessMs;

  const ping = setInterval(() => {
    for (const links of byCodebase.values()) {
      for (const link of links.values()) {
        if (!alive(link)) link.ws.terminate();
        else link.ws.ping();
      }
    }
  }, opts.pingIntervalMs);
  ping.unref();

  const remove = (codebase: string, link: Link) => {
    const links = byCodebase.get(codebase);
    if (links?.get(link.instanceId) !== link) return;
    links.delete(link.instanceId);
    size--;
    if (links.size === 0) byCodebase.delete(codebase);
    opts.onLinkChange(codebase, link.instanceId, link.address, false);
  };

  /** The link `peer` would replace (undefined when none), or why it may not open. */
  const decide = (peer: LinkPeer): { replaces: Link | undefined } | LinkRefusal => {
    const links = byCodebase.get(peer.codebase);
    const previous = links?.get(peer.instanceId);
    if (!previous) {
      const open = links?.size ?? 0;
      return open >= opts.maxLinksPerCodebase ? { status: 503, reason: `codebase has ${open} admin links, the most allowed` } : { replaces: undefined };
    }
    const sameInstance = previous.credential !== undefined ? previous.credential === peer.credential : previous.address === peer.address;
    if (sameInstance || !alive(previous)) return { replaces: previous };
    return { status: 409, reason: `instance ${peer.instanceId} is linked from another connection that is alive` };
  };

  return {
    admit(peer) {
      const decision = decide(peer);
      return 'status' in decision ? decision : undefined;
    },
    accept(head, socket, rest, peer, version) {
      const { codebase, instanceId, address } = peer;
      // ws reads the method, url and headers of the upgrade request (and nothing else without
      // verifyClient); the repo parses requests itself, so it hands over just those.
      const req = { method: head.method, url: head.target, headers: head.headers, socket } as unknown as IncomingMessage;
      wss.handleUpgrade(req, socket, rest, (ws) => {
        // Decided again: another link may have opened while this handshake completed.
        const decision = decide(peer);
        if ('status' in decision) {
          ws.close(1008, decision.reason);
          return;
        }
        if (decision.replaces) {
          remove(codebase, decision.replaces);
          decision.replaces.ws.terminate();
        }
        let links = byCodebase.get(codebase);
        if (!links) byCodebase.set(codebase, (links = new Map()));
        const link: Link = { ws, instanceId, address, credential: peer.credential, announced: version, lastSign: now() };
        links.set(instanceId, link);
        size++;
        opts.onLinkChange(codebase, instanceId, address, true);
        ws.on('pong', () => {
          link.lastSign = now();
        });
        ws.on('error', (err) => opts.logger.debug('admin link error', { codebase, instanceId, error: err.message }));
        ws.on('close', () => remove(codebase, link));
      });
    },
    noteReport(codebase, instanceId, address) {
      const link = byCodebase.get(codebase)?.get(instanceId);
      if (link && link.address === address) link.lastSign = now();
    },
    notifyChanged(names) {
      let sent = 0;
      for (const name of names) {
        const links = byCodebase.get(name);
        if (!links) continue;
        const version = opts.codebases.get(name)?.version;
        for (const link of links.values()) {
          if (version === undefined) {
            // The codebase is gone: the instance will get 404s; close its link.
            link.ws.close(1000, 'codebase removed');
            continue;
          }
          if (link.announced === version) continue;
          link.announced = version;
          // A link that is closing (the peer sent its close frame) still fails here, asynchronously.
          link.ws.send('reload', (err) => opts.onReloadResult(name, link.instanceId, link.address, err ?? undefined));
          sent++;
        }
      }
      return sent;
    },
    get size() {
      return size;
    },
    close() {
      clearInterval(ping);
      for (const links of byCodebase.values()) for (const link of links.values()) link.ws.terminate();
      byCodebase.clear();
      size = 0;
      wss.close();
    },
  };
}

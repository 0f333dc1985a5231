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
  /** The codebase version this instance was last told about (at connect, or by the last `reload`). */
  announced: string;
  alive: boolean;
}

export interface AdminLinksOptions {
  codebases: CodebaseProvider;
  logger: Logger;
  pingIntervalMs: number;
  /** Called when a link opens or closes (a replaced link closes before its successor opens). */
  onLinkChange(codebase: string, instanceId: string, address: string, linked: boolean): void;
  /** Called when a `reload` frame was written to the link's socket, or failed to be (`error`). */
  onReloadResult(codebase: string, instanceId: string, address: string, error: Error | undefined): void;
}

/**
 * Pipy's admin links: one WebSocket per running instance, at
 * `<codebase path><instance-id>`, over which the repo sends the text frame
 * `reload` when the codebase version changes. A version is announced at most
 * once per link, so repeated notifications of an unchanged codebase are silent.
 */
export interface AdminLinks {
  /**
   * Completes a WebSocket upgrade for an already-authorized codebase and
   * instance; `rest` holds bytes the peer sent after the request head.
   */
  accept(head: RequestHead, socket: Socket, rest: Buffer, codebase: string, instanceId: string, version: string): void;
  /** Sends `reload` to each link of the named codebases whose announced version is stale. Returns how many were sent. */
  notifyChanged(names: Iterable<string>): number;
  readonly size: number;
  close(): void;
}

export function createAdminLinks(opts: AdminLinksOptions): AdminLinks {
  // The admin link carries one short text frame; anything large is abuse.
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const byCodebase = new Map<string, Map<string, Link>>();
  let size = 0;

  const ping = setInterval(() => {
    for (const links of byCodebase.values()) {
      for (const link of links.values()) {
        if (!link.alive) {
          link.ws.terminate();
          continue;
        }
        link.alive = false;
        link.ws.ping();
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

  return {
    accept(head, socket, rest, codebase, instanceId, version) {
      // ws reads the method, url and headers of the upgrade request (and nothing else without
      // verifyClient); the repo parses requests itself, so it hands over just those.
      const req = { method: head.method, url: head.target, headers: head.headers, socket } as unknown as IncomingMessage;
      const address = socket.remoteAddress ?? '';
      wss.handleUpgrade(req, socket, rest, (ws) => {
        let links = byCodebase.get(codebase);
        if (!links) byCodebase.set(codebase, (links = new Map()));
        // Pipy reconnects every 5 s; a new link for the same instance replaces the old one.
        const previous = links.get(instanceId);
        if (previous) {
          remove(codebase, previous);
          previous.ws.terminate();
          links = byCodebase.get(codebase);
          if (!links) byCodebase.set(codebase, (links = new Map()));
        }
        const link: Link = { ws, instanceId, address, announced: version, alive: true };
        links.set(instanceId, link);
        size++;
        opts.onLinkChange(codebase, instanceId, address, true);
        ws.on('pong', () => {
          link.alive = true;
        });
        ws.on('error', (err) => opts.logger.debug('admin link error', { codebase, instanceId, error: err.message }));
        ws.on('close', () => remove(codebase, link));
      });
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

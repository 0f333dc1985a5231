/**
 * Dubbo's ZooKeeper layout, watched: the children of the root (one per
 * interface) and of each interface's category node (one per provider),
 * each read with a one-shot watch that is set again whenever it fires.
 * Answers are applied in order on one queue. A lost connection marks the
 * source stale until the client reconnects (watches are restored by the
 * client on reconnect); an expired session, or a server that stops
 * answering (probed every third of the session timeout, as the client
 * library does not notice), ends the run, and the source starts over with
 * a new session and a full read (after its backoff).
 * Every `resync` the whole tree is read again, so a watch lost in any way
 * costs at most that long.
 */
import zookeeper, { type Client, type Event } from 'node-zookeeper-client';
import type { CatalogDriver, DriverTuning } from '../catalog/catalog-source.js';
import type { CatalogSink } from '../catalog/catalog-state.js';
import type { CatalogInstance } from '../catalog/instance.js';
import { RegistryError } from '../catalog/registry-error.js';
import type { ZookeeperConfig } from './config.js';
import { providerInstance } from './dubbo-url.js';

export interface ZookeeperDriverOptions extends DriverTuning {
  readonly config: ZookeeperConfig;
}

export function createZookeeperDriver(o: ZookeeperDriverOptions): CatalogDriver {
  const c = o.config;

  function children(client: Client, path: string, watcher: ((e: Event) => void) | undefined): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const done = (err: Error | zookeeper.Exception | null, names: string[]) => {
        if (!err) return resolve(names);
        if (err instanceof zookeeper.Exception && err.getCode() === zookeeper.Exception.NO_NODE) return resolve([]);
        reject(new RegistryError('E8000', `children of ${path}: ${err.toString()}`));
      };
      if (watcher) client.getChildren(path, watcher, done);
      else client.getChildren(path, done);
    });
  }

  async function run(sink: CatalogSink, signal: AbortSignal): Promise<void> {
    const client = zookeeper.createClient(c.connect, { sessionTimeout: c.sessionTimeoutMs, spinDelay: 500, retries: 0 });
    if (c.digest) client.addAuthInfo('digest', Buffer.from(c.digest));
    let chain: Promise<void> = Promise.resolve();
    let failure: Error | undefined;
    /** Set when the run ends: answers still pending then (a frozen server may never send them) are dropped. */
    let stopped = false;
    let wake: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const end = (err?: Error) => {
      failure ??= err;
      wake();
    };
    /** Runs `step` after everything queued before it; an error ends the run. */
    const queue = (step: () => Promise<void>) => {
      chain = chain.then(() => (stopped ? undefined : step())).catch((err: unknown) => end(err instanceof Error ? err : new Error(String(err))));
    };
    const live = <T>(value: T): T => {
      if (stopped) throw new Error('run ended');
      return value;
    };
    const watched = new Set<string>();
    const providersPath = (iface: string) => `${c.root}/${iface}/${c.category}`;

    const readProviders = async (iface: string): Promise<CatalogInstance[]> => {
      const names = live(await children(client, providersPath(iface), (e) => onProviders(iface, e)));
      const out: CatalogInstance[] = [];
      for (const n of names) {
        const inst = providerInstance(iface, n);
        if (inst) out.push(inst);
      }
      return out;
    };
    const onProviders = (iface: string, _e: Event) => {
      if (signal.aborted || !watched.has(iface)) return;
      queue(async () => {
        if (watched.has(iface)) sink.setService(iface, await readProviders(iface));
      });
    };
    const readInterfaces = async () => live(await children(client, c.root, () => queue(syncInterfaces)));
    async function syncInterfaces(): Promise<void> {
      if (signal.aborted) return;
      const now = new Set((await readInterfaces()).map((n) => decodeURIComponent(n)).filter((n) => sink.wants(n)));
      for (const iface of [...watched]) {
        if (now.has(iface)) continue;
        watched.delete(iface);
        sink.setService(iface, []);
      }
      for (const iface of now) {
        if (watched.has(iface)) continue;
        watched.add(iface);
        sink.setService(iface, await readProviders(iface));
      }
      sink.succeeded('main');
    }
    /** Reads the whole tree (setting every watch) as one complete answer. */
    async function full(): Promise<void> {
      const ifaces = (await readInterfaces()).map((n) => decodeURIComponent(n)).filter((n) => sink.wants(n));
      const services = new Map<string, CatalogInstance[]>();
      for (const iface of ifaces) services.set(iface, await readProviders(iface));
      watched.clear();
      for (const iface of ifaces) watched.add(iface);
      sink.replaceAll(services);
      sink.succeeded('main');
    }

    client.on('state', (state) => {
      if (signal.aborted) return;
      if (state === zookeeper.State.DISCONNECTED) sink.failed('main', new RegistryError('E8000', `connection to ${c.connect} lost`));
      else if (state === zookeeper.State.SYNC_CONNECTED) sink.succeeded('main');
      else if (state === zookeeper.State.EXPIRED) end(new RegistryError('E8000', `session with ${c.connect} expired`));
      else if (state === zookeeper.State.AUTH_FAILED) end(new RegistryError('E8001', `authentication to ${c.connect} failed`));
    });
    const onAbort = () => end();
    signal.addEventListener('abort', onAbort, { once: true });
    const connected = new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        if (err) reject(err);
        else resolve();
      };
      const aborted = () => done();
      const timer = setTimeout(() => done(new RegistryError('E8000', `no session with ${c.connect} within ${o.silenceMs * 3} ms`)), o.silenceMs * 3);
      client.once('connected', () => done());
      signal.addEventListener('abort', aborted, { once: true });
    });
    client.connect();
    const resync = setInterval(() => queue(full), c.resyncMs);
    // node-zookeeper-client pings an idle connection but never gives up on one that stopped answering
    // (a frozen or unreachable server keeps it "connected" forever); so ask something cheap every third of
    // the session timeout and start over when the answer does not come within two thirds of it.
    const probeLimitMs = Math.floor((c.sessionTimeoutMs * 2) / 3);
    let probing = false;
    const probe = setInterval(() => {
      if (probing || client.getState() !== zookeeper.State.SYNC_CONNECTED) return;
      probing = true;
      const timer = setTimeout(() => end(new RegistryError('E8000', `no answer from ${c.connect} within ${probeLimitMs} ms; reconnecting`)), probeLimitMs);
      client.exists(c.root, () => {
        clearTimeout(timer);
        probing = false;
      });
    }, Math.max(200, Math.floor(c.sessionTimeoutMs / 3)));
    try {
      await connected;
      if (signal.aborted) return;
      queue(full);
      await ended;
      if (failure && !signal.aborted) throw failure;
    } finally {
      stopped = true;
      clearInterval(resync);
      clearInterval(probe);
      signal.removeEventListener('abort', onAbort);
      client.removeAllListeners('state');
      client.close();
    }
  }

  return { run };
}

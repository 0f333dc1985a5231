/**
 * A loopback TCP proxy in front of a real registry, so a test can cut the
 * path between a source and its registry without touching the registry:
 * `drop` resets every connection and every new one; `blackhole` stops
 * forwarding in both directions (connections stay open, silent);
 * `stall` silences the connections open now and passes new ones (one dead
 * connection on a healthy path); `pass` forwards again (silenced
 * connections are reset when passing resumes, as a dead NAT entry would be).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'drop' | 'blackhole' | 'stall';

export interface TcpProxy {
  readonly port: number;
  mode: ProxyMode;
  close(): Promise<void>;
}

export async function createTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const stalled = new WeakSet<Socket>();
  let mode: ProxyMode = 'pass';
  const server: Server = createServer((client) => {
    if (mode === 'drop') return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    const flows = () => (mode === 'pass' || mode === 'stall') && !stalled.has(client);
    client.on('data', (d) => flows() && upstream.write(d));
    upstream.on('data', (d) => flows() && client.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get mode() {
      return mode;
    },
    set mode(m: ProxyMode) {
      if (m === 'stall') for (const [a] of pairs) stalled.add(a);
      for (const [a, b] of [...pairs]) {
        if (m === 'drop' || (m === 'pass' && (mode === 'blackhole' || stalled.has(a)))) {
          a.destroy();
          b.destroy();
        }
      }
      mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

import type { Test } from 'tap';
import type { ConfigWatcher } from '../../cache/types.js';
import { createAdsClient, type AdsClient, type AdsClientOptions } from '../../server/transport/ads-client.js';
import { createXdsServer, type XdsServer, type XdsServerOptions } from '../../server/transport/grpc-server.js';
import { createFakeWatcher, type FakeWatcher } from '../../server/testing/fake-watcher.js';

export const NODE = { id: 'node-1', cluster: 'test' } as const;

/** Starts an xDS server on 127.0.0.1:0, closed at the end of the test. */
export async function startServer<W extends ConfigWatcher = FakeWatcher>(
  t: Test,
  options: Partial<XdsServerOptions> & { watcher?: W } = {},
): Promise<{ server: XdsServer; address: string; watcher: W }> {
  const watcher = (options.watcher ?? createFakeWatcher()) as W;
  const server = createXdsServer({ ...options, watcher });
  const port = await server.listen('127.0.0.1:0');
  t.teardown(() => server.close({ graceMs: 200 }));
  return { server, address: `127.0.0.1:${port}`, watcher };
}

/** Opens a client stream, closed at the end of the test. */
export function connect(t: Test, address: string, options: Partial<AdsClientOptions> = {}): AdsClient {
  const client = createAdsClient({ address, node: NODE, ...options });
  t.teardown(() => client.close());
  return client;
}

/** Polls `check` until it is true or `ms` pass. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

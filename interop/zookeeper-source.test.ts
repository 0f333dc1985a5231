/**
 * The ZooKeeper source against a real ZooKeeper 3.8 (Debian zookeeper):
 * providers registered in Dubbo's layout (ephemeral nodes named by their
 * URL-encoded provider URL, under /dubbo/<interface>/providers) join the
 * sidecar config of a meshed client, leave with their session, and a
 * frozen or killed ZooKeeper changes nothing until it is back.
 */
import t from 'tap';
import zookeeper, { type Client } from 'node-zookeeper-client';
import { parseZookeeperArg } from '../src/sources/zookeeper/config.js';
import { createZookeeperSource } from '../src/sources/zookeeper/scheme.js';
import { createRegistryMesh } from '../test/support/registry-mesh.js';
import { waitFor } from '../test/support/wait-for.js';
import { startZookeeper } from './registry-servers.js';

const IFACE = 'com.example.Greeter';

/**
 * A provider's session: long enough (60 s, the server's maximum here) to outlive a freeze of the server.
 * A client whose first connection meets a server still starting may never get a session, so each
 * attempt gets a new client.
 */
async function provider(connect: string): Promise<Client> {
  const end = Date.now() + 30_000;
  for (;;) {
    const c = zookeeper.createClient(connect, { sessionTimeout: 60_000 });
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      c.once('connected', () => {
        clearTimeout(timer);
        resolve(true);
      });
      c.connect();
    });
    if (ok) return c;
    c.close();
    if (Date.now() > end) throw new Error(`provider: no session with ${connect}`);
  }
}

const call = <T>(what: string, f: (cb: (err: Error | zookeeper.Exception | null, r?: T) => void) => void) =>
  new Promise<T | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer`)), 20_000);
    f((err, r) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(r);
    });
  });

/** What a Dubbo provider writes: the persistent path, then its ephemeral URL node. */
async function register(c: Client, url: string): Promise<void> {
  const dir = `/dubbo/${IFACE}/providers`;
  await call<string>('mkdirp', (cb) => c.mkdirp(dir, cb));
  await call<string>('create', (cb) => c.create(`${dir}/${encodeURIComponent(url)}`, zookeeper.CreateMode.EPHEMERAL, cb));
}

t.test('Dubbo providers in ZooKeeper, live', async (t) => {
  const zk = await startZookeeper();
  t.teardown(() => zk.close());
  const p1 = await provider(zk.connect);
  t.teardown(() => p1.close());
  await register(p1, `dubbo://10.0.0.1:20880/${IFACE}?anyhost=true&application=greeter&interface=${IFACE}&methods=sayHello&side=provider`);
  await register(p1, `tri://10.0.0.2:50051/${IFACE}?interface=${IFACE}&side=provider`);

  const source = createZookeeperSource(parseZookeeperArg(`${zk.connect}?sessionTimeout=4s&namespace=dubbo`), { backoff: { initialMs: 100, maxMs: 1000 }, silenceMs: 3000 });
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('dubbo/com-example-greeter|20880'), ['10.0.0.1:20880'], 'the dubbo:// provider, as TCP');
  t.same(mesh.endpoints('dubbo/com-example-greeter|50051'), ['10.0.0.2:50051'], 'the tri:// provider, as gRPC');
  const ports = (mesh.store.get('Service', 'dubbo', 'com-example-greeter')?.spec as { ports: { port: number; appProtocol: string }[] }).ports;
  t.same(ports.map((p) => [p.port, p.appProtocol]), [[20880, 'tcp'], [50051, 'grpc']]);
  t.same(source.status().names, { [IFACE]: 'com-example-greeter' }, 'the name mapping is visible');

  const p2 = await provider(zk.connect);
  await register(p2, `dubbo://10.0.0.3:20880/${IFACE}?interface=${IFACE}`);
  await waitFor('a new provider', () => mesh.endpoints('dubbo/com-example-greeter|20880')?.length === 2);
  p2.close();
  await waitFor('its session to end', () => mesh.endpoints('dubbo/com-example-greeter|20880')?.length === 1, 20_000);

  // Frozen: the connection times out; nothing leaves; thawed, changes flow again.
  zk.freeze();
  await waitFor('stale while frozen', () => source.status().stale, 20_000);
  t.same(mesh.endpoints('dubbo/com-example-greeter|20880'), ['10.0.0.1:20880'], 'nothing leaves while frozen');
  zk.thaw();
  await waitFor('reconnected', () => !source.status().stale, 30_000);

  // Killed and started again on the same data.
  await zk.kill();
  await waitFor('stale while down', () => source.status().errors.some((e) => e.code === 'E8000'), 20_000);
  t.equal(mesh.endpoints('dubbo/com-example-greeter|20880')?.length, 1, 'nothing leaves while ZooKeeper is down');
  await zk.start();
  const p3 = await provider(zk.connect);
  t.teardown(() => p3.close());
  await register(p3, `dubbo://10.0.0.4:20880/${IFACE}?interface=${IFACE}`);
  await waitFor('changes after the restart', () => mesh.endpoints('dubbo/com-example-greeter|20880')?.includes('10.0.0.4:20880') === true, 40_000);
  await waitFor('not stale', () => !source.status().stale, 30_000);
});

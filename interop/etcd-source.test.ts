/**
 * The etcd source against a real etcd 3.4 (Debian etcd-server): endpoints
 * written in etcd's naming/endpoints layout with etcdctl join the sidecar
 * config of a meshed client, follow puts, deletes and lease expiry, survive
 * a frozen or dead etcd without losing anything, and catch up afterwards,
 * including across a compaction.
 */
import t from 'tap';
import { parseEtcdArg } from '../src/sources/etcd/config.js';
import { createEtcdSource } from '../src/sources/etcd/scheme.js';
import { createRegistryMesh } from '../test/support/registry-mesh.js';
import { waitFor } from '../test/support/wait-for.js';
import { startEtcd } from './registry-servers.js';
import { createTcpProxy } from './tcp-proxy.js';

const endpoint = (addr: string, metadata: unknown = null) => JSON.stringify({ Op: 0, Addr: addr, Metadata: metadata });

t.test('etcd naming endpoints in the sidecar config, live', async (t) => {
  const etcd = await startEtcd();
  t.teardown(() => etcd.close());
  const proxy = await createTcpProxy(etcd.port);
  t.teardown(() => proxy.close());
  await etcd.ctl('put', 'services/greeter/10.0.0.1:50051', endpoint('10.0.0.1:50051', { zone: 'a' }));
  await etcd.ctl('put', 'services/greeter/10.0.0.2:50051', endpoint('10.0.0.2:50051'));
  await etcd.ctl('put', 'other/greeter/10.9.9.9:50051', endpoint('10.9.9.9:50051'));

  const source = createEtcdSource(parseEtcdArg(`http://127.0.0.1:${proxy.port}/services?watchTimeout=1s`), { backoff: { initialMs: 50, maxMs: 500 }, silenceMs: 500 });
  t.teardown(() => source.close());
  const mesh = createRegistryMesh();
  mesh.attach(source);
  await source.ready;
  t.same(mesh.endpoints('default/greeter|50051'), ['10.0.0.1:50051', '10.0.0.2:50051'], 'the endpoints under the prefix');
  t.equal(mesh.store.get<{ spec: { ports: { appProtocol: string }[] } } & import('../src/model/types.js').MeshObject>('Service', 'default', 'greeter')?.spec.ports[0]?.appProtocol, 'grpc', 'as gRPC');

  await etcd.ctl('put', 'services/greeter/10.0.0.3:50051', endpoint('10.0.0.3:50051'));
  await waitFor('a put', () => mesh.endpoints('default/greeter|50051')?.length === 3);
  await etcd.ctl('del', 'services/greeter/10.0.0.1:50051');
  await waitFor('a delete', () => mesh.endpoints('default/greeter|50051')?.join() === '10.0.0.2:50051,10.0.0.3:50051');

  const lease = /lease ([0-9a-f]+) granted/.exec(await etcd.ctl('lease', 'grant', '2'))?.[1] ?? '';
  await etcd.ctl('put', '--lease', lease, 'services/echo/10.0.1.1:7000', endpoint('10.0.1.1:7000'));
  await waitFor('a leased endpoint', () => mesh.endpoints('default/echo|7000') !== undefined);
  await waitFor('the lease to expire', () => mesh.endpoints('default/echo|7000') === undefined, 20_000);

  // Silence: the path to etcd goes quiet; the watch is given up on after watchTimeout and retried.
  proxy.mode = 'blackhole';
  await waitFor('stale while silent', () => source.status().stale, 20_000);
  await etcd.ctl('put', 'services/greeter/10.0.0.4:50051', endpoint('10.0.0.4:50051'));
  t.equal(mesh.endpoints('default/greeter|50051')?.length, 2, 'nothing moves while silent');
  proxy.mode = 'pass';
  await waitFor('the change made while silent', () => mesh.endpoints('default/greeter|50051')?.length === 3, 20_000);
  await waitFor('fresh again', () => !source.status().stale);

  // Changes and a compaction behind a dead watch connection: whichever way the source catches up
  // (a new watch before the compaction, or a relist after a compacted one), it ends up right.
  proxy.mode = 'stall';
  await etcd.ctl('del', 'services/greeter/10.0.0.2:50051');
  await etcd.ctl('put', 'services/greeter/10.0.0.5:50051', endpoint('10.0.0.5:50051'));
  const rev = /"revision":(\d+)/.exec(await etcd.ctl('get', 'services/', '--prefix', '-w', 'json'))?.[1];
  await etcd.ctl('compaction', rev ?? '1');
  await waitFor('the state after compaction', () => mesh.endpoints('default/greeter|50051')?.join() === '10.0.0.3:50051,10.0.0.4:50051,10.0.0.5:50051', 20_000);
  proxy.mode = 'pass';

  // etcd dies: nothing leaves; it comes back on the same data: changes flow again.
  await etcd.kill();
  await waitFor('stale while dead', () => source.status().errors.some((e) => e.code === 'E8000'), 20_000);
  t.equal(mesh.endpoints('default/greeter|50051')?.length, 3, 'nothing leaves while etcd is down');
  t.ok(mesh.store.errors().some((e) => e.code === 'E8000'), 'listed in the model errors (/debug/errors)');
  await etcd.start();
  await etcd.ctl('del', 'services/greeter/10.0.0.3:50051');
  await waitFor('changes after the restart', () => mesh.endpoints('default/greeter|50051')?.length === 2, 30_000);
  await waitFor('not stale', () => !source.status().stale, 30_000);
});

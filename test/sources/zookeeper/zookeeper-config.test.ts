/** Parsing of `--source zookeeper:…` and of Dubbo provider URLs (the real ZooKeeper runs in interop/). */
import t from 'tap';
import { parseZookeeperArg } from '../../../src/sources/zookeeper/config.js';
import { providerInstance } from '../../../src/sources/zookeeper/dubbo-url.js';

t.test('zookeeper:HOST:PORT[,…][/root]', async (t) => {
  const a = parseZookeeperArg('127.0.0.1:2181');
  t.same([a.connect, a.root, a.category, a.name], ['127.0.0.1:2181', '/dubbo', 'providers', 'zookeeper:127.0.0.1:2181/dubbo'], "Dubbo's /dubbo by default");
  const b = parseZookeeperArg('zk-1:2181,zk-2:2181/registry/?category=consumers&digest=u:p&sessionTimeout=10s');
  t.same([b.connect, b.root, b.category, b.digest, b.sessionTimeoutMs], ['zk-1:2181,zk-2:2181', '/registry', 'consumers', 'u:p', 10_000]);
  t.throws(() => parseZookeeperArg(''), /HOST:PORT is required/);
  t.throws(() => parseZookeeperArg('zk:99999'), /"zk:99999" is not HOST:PORT/);
  t.throws(() => parseZookeeperArg('zk:2181?digest=nocolon'), /option "digest": expected USER:PASSWORD/);
  t.throws(() => parseZookeeperArg('zk:2181?protocolz=1'), /unknown option "protocolz"/);
});

t.test('Dubbo provider URLs', async (t) => {
  const node = encodeURIComponent('dubbo://10.0.0.1:20880/com.example.Greeter?anyhost=true&interface=com.example.Greeter&methods=sayHello,sayBye&side=provider');
  t.same(providerInstance('com.example.Greeter', node), {
    service: 'com.example.Greeter', address: '10.0.0.1', port: 20880, protocol: 'tcp',
    metadata: { anyhost: 'true', interface: 'com.example.Greeter', methods: 'sayHello,sayBye', side: 'provider' },
  }, 'dubbo:// is TCP, the query is the metadata');
  t.equal(providerInstance('x', encodeURIComponent('tri://10.0.0.2:50051/x'))?.protocol, 'grpc');
  t.equal(providerInstance('x', encodeURIComponent('grpc://10.0.0.2:50051/x'))?.protocol, 'grpc');
  t.equal(providerInstance('x', encodeURIComponent('rest://10.0.0.2:8080/x'))?.protocol, 'http');
  t.equal(providerInstance('x', encodeURIComponent('dubbo://[fd00::1]:20880/x'))?.address, 'fd00::1');
  t.equal(providerInstance('x', encodeURIComponent('dubbo://10.0.0.3:20880/x?enabled=false')), undefined, 'a disabled provider');
  t.equal(providerInstance('x', 'not%20a%20url'), undefined);
});

/**
 * The layout etcd's naming/endpoints package writes, as the etcd source
 * reads it, and the source's argument. Pure functions: the source's protocol
 * handling runs against a real etcd in interop/etcd-source*.test.ts.
 */
import t from 'tap';
import { parseEtcdArg } from '../../../src/sources/etcd/config.js';
import { endpointInstance, serviceOfKey, splitHostPort } from '../../../src/sources/etcd/etcd-endpoints.js';

t.test('the naming/endpoints layout', async (t) => {
  t.equal(serviceOfKey('services', 'services/greeter/10.0.0.1:50051'), 'greeter');
  t.equal(serviceOfKey('services', 'services/a/b/10.0.0.1:50051'), 'a/b', 'nested targets');
  t.equal(serviceOfKey('services', 'services/10.0.0.1:50051'), undefined, 'no service segment');
  t.equal(serviceOfKey('services', 'servicesX/a/1'), undefined);
  t.same(splitHostPort('[fd00::1]:443'), { host: 'fd00::1', port: 443 });
  t.same(endpointInstance('g', '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":{"weight":2}}', 'grpc'), { service: 'g', address: '10.0.0.1', port: 50051, protocol: 'grpc', metadata: { weight: '2' } });
  t.equal(endpointInstance('g', '{"Op":1,"Addr":"10.0.0.1:50051"}', 'grpc'), undefined, 'a Delete op is not an endpoint');
  t.equal(endpointInstance('g', 'not json', 'grpc'), undefined);
  const c = parseEtcdArg('http://u:p@etcd:2379');
  t.same([c.prefix, c.username, c.name], ['services', 'u', 'etcd:http://etcd:2379/services'], 'default prefix services, credentials out of the name');
});

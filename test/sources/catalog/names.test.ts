import t from 'tap';
import { assignNames, isDns1035Label, kubernetesServiceName } from '../../../src/sources/catalog/names.js';

t.test("FSM's mapping where it yields a valid name", async (t) => {
  t.equal(kubernetesServiceName('web'), 'web');
  t.equal(kubernetesServiceName('ORDER-SERVICE'), 'order-service', 'Eureka app names are upper case');
  t.equal(kubernetesServiceName('Order_Service'), 'order-service');
  t.equal(kubernetesServiceName('com.example.Greeter'), 'com-example-greeter', 'Dubbo interfaces');
  t.equal(kubernetesServiceName('my service'), 'my-service');
});

t.test('names FSM cannot handle get a cleaned name with a hash of the original', async (t) => {
  for (const n of ['9lives', 'a/b/c', 'svc:8080', 'trailing-', '@@@', 'x'.repeat(80), 'ünïcode']) {
    const k = kubernetesServiceName(n);
    t.ok(isDns1035Label(k), `${JSON.stringify(n)} → ${k} is a DNS-1035 label`);
    t.match(k, /-[0-9a-f]{8}$/, 'with a hashed suffix');
    t.equal(kubernetesServiceName(n), k, 'deterministic');
  }
  t.not(kubernetesServiceName('a/b'), kubernetesServiceName('a:b'), 'different originals never merge');
  t.equal(kubernetesServiceName('x'.repeat(80)).length, 63);
});

t.test('collisions: the first name in order keeps the name, the others are hashed', async (t) => {
  const a = assignNames(['order.service', 'Order_Service', 'web']);
  t.equal(a.names.get('Order_Service'), 'order-service');
  t.match(a.names.get('order.service'), /^order-service-[0-9a-f]{8}$/);
  t.equal(a.names.get('web'), 'web');
  t.same(a.collisions, [['Order_Service', 'order.service']]);
  const b = assignNames(['web', 'Order_Service', 'order.service']);
  t.same([...b.names], [...a.names].sort(([x], [y]) => (x < y ? -1 : 1)), 'independent of input order');
});

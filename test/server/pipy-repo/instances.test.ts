import t from 'tap';
import { createInstanceRegistry } from '../../../server/pipy-repo/instances.js';

t.test('reports and links are merged per codebase and instance, most recent report first', async (t) => {
  let clock = 1000;
  const reg = createInstanceRegistry({ ttlMs: 60_000, now: () => clock });
  reg.report('cb/a', 'i1', { address: '10.0.0.1', version: 'v1', name: 'pod-a' });
  clock += 10;
  reg.report('cb/b', 'i2', { address: '10.0.0.2', version: 'v9', name: 'pod-b' });
  reg.setLinked('cb/a', 'i1', '10.0.0.1', true);
  t.match(reg.list(), [
    { codebase: 'cb/b', instanceId: 'i2', version: 'v9', reportedAt: 1010, linked: false },
    { codebase: 'cb/a', instanceId: 'i1', version: 'v1', reportedAt: 1000, linked: true },
  ]);
  const updated = reg.report('cb/a', 'i1', { address: '10.0.0.1', version: 'v2', name: 'pod-a' });
  t.match(updated, { version: 'v2', linked: true });
});

t.test('instances without reports or an open link expire after the TTL', async (t) => {
  let clock = 0;
  const reg = createInstanceRegistry({ ttlMs: 100, now: () => clock });
  reg.report('cb', 'gone', { address: 'a', version: 'v', name: '' });
  reg.report('cb', 'linked', { address: 'b', version: 'v', name: '' });
  reg.setLinked('cb', 'linked', 'b', true);
  clock = 150;
  t.same(
    reg.list().map((r) => r.instanceId),
    ['linked'],
  );
  reg.setLinked('cb', 'linked', 'b', false);
  clock = 200;
  t.equal(reg.list().length, 1, 'a closed link counts as seen when it closed');
  clock = 400;
  t.equal(reg.list().length, 0);
});

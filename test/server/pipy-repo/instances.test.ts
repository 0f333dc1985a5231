import t from 'tap';
import { createInstanceRegistry } from '../../../server/pipy-repo/instances.js';

t.test('reports and links are merged per codebase and instance, most recent report first', async (t) => {
  let clock = 1000;
  const reg = createInstanceRegistry({ ttlMs: 60_000, maxInstances: 100, now: () => clock });
  reg.report('cb/a', 'i1', { address: '10.0.0.1', version: 'v1', name: 'pod-a' });
  clock += 10;
  reg.report('cb/b', 'i2', { address: '10.0.0.2', version: 'v9', name: 'pod-b' });
  reg.setLinked('cb/a', 'i1', '10.0.0.1', true);
  t.match(reg.list(), [
    { codebase: 'cb/b', instanceId: 'i2', version: 'v9', reportedAt: 1010, linked: false },
    { codebase: 'cb/a', instanceId: 'i1', version: 'v1', reportedAt: 1000, linked: true },
  ]);
  const updated = reg.report('cb/a', 'i1', { address: '10.0.0.1', version: 'v2', name: 'pod-a' });
  t.match(updated.record, { version: 'v2', linked: true });
});

t.test('instances without reports or an open link expire after the TTL', async (t) => {
  let clock = 0;
  const reg = createInstanceRegistry({ ttlMs: 100, maxInstances: 100, now: () => clock });
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

t.test('at most maxInstances unlinked instances are kept, the least recently seen forgotten first; linked ones are never evicted', async (t) => {
  let clock = 0;
  const reg = createInstanceRegistry({ ttlMs: 60_000, maxInstances: 3, now: () => ++clock });
  reg.report('cb', 'linked', { address: 'a', version: 'v', name: '' });
  reg.setLinked('cb', 'linked', 'a', true);
  for (const id of ['i1', 'i2', 'i3']) reg.report('cb', id, { address: 'a', version: 'v', name: '' });
  reg.report('cb', 'i1', { address: 'a', version: 'v2', name: '' });
  reg.report('cb', 'i4', { address: 'a', version: 'v', name: '' });
  t.same(reg.list().map((r) => r.instanceId).sort(), ['i1', 'i3', 'i4', 'linked'], 'i2 was the least recently seen');
  for (let i = 0; i < 10_000; i++) reg.report('cb', `flood-${i}`, { address: 'x', version: 'v', name: '' });
  t.equal(reg.size, 4, 'a flood of distinct uuids stays within the bound');
  t.ok(reg.list().some((r) => r.instanceId === 'linked' && r.linked), 'the linked instance survives the flood');
});

t.test("metrics are read when they start from a full block or continue the last one read (pipy-repo's 206 rule)", async (t) => {
  const reg = createInstanceRegistry({ ttlMs: 60_000, maxInstances: 10 });
  const at = { address: 'a', version: 'v', name: '' };
  t.equal(reg.report('cb', 'i', at).metricsRead, false, 'no metrics: 201');
  t.equal(reg.report('cb', 'i', at, { version: 5, last: 0 }).metricsRead, false, 'an incremental block with no full block before it');
  t.equal(reg.report('cb', 'i', at, { version: 0 }).metricsRead, true, 'a full block');
  t.equal(reg.report('cb', 'i', at, { version: 100, last: 0 }).metricsRead, true, 'continues the full block');
  t.equal(reg.report('cb', 'i', at, { version: 200, last: 100 }).metricsRead, true, 'continues the last one');
  t.equal(reg.report('cb', 'i', at, { version: 300, last: 250 }).metricsRead, false, 'a gap in the chain');
  t.equal(reg.report('cb', 'i', at, { version: 400, last: 300 }).metricsRead, false, 'after a gap only a full block restarts the chain');
  t.equal(reg.report('cb', 'i', at, { version: 0 }).metricsRead, true);
  t.equal(reg.report('cb', 'other', at, { version: 100, last: 0 }).metricsRead, false, 'chains are per instance');
});

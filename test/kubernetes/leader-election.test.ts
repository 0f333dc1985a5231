import t, { type Test } from 'tap';
import { createKubeClient } from '../../src/kubernetes/kube-client.js';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  createLeaderElector,
  judgeLease,
  type Lease,
  type LeaderElector,
} from '../../src/kubernetes/leader-election.js';
import { createKubeApiStandIn, type KubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { waitFor } from '../support/wait-for.js';

// Scaled-down timings keep the order of client-go's (lease > renew deadline > 1.2 × retry) with
// margins that survive a loaded machine; the defaults themselves are checked below.
const timings = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };

const lease = (spec: Lease['spec']): Lease => ({ metadata: { name: 'l' }, spec });

t.test('the decision rule: absent, free, own, held, expired (by the local observation time)', async (t) => {
  t.equal(judgeLease(undefined, 'a', 0, 0), 'create');
  t.equal(judgeLease(lease({ holderIdentity: '' }), 'a', 0, 0), 'take', 'released');
  t.equal(judgeLease(lease({ holderIdentity: 'a', leaseDurationSeconds: 15 }), 'a', 0, 99_000), 'renew');
  t.equal(judgeLease(lease({ holderIdentity: 'b', leaseDurationSeconds: 15 }), 'a', 1000, 15_999), 'held', 'unchanged for less than the lease duration');
  t.equal(judgeLease(lease({ holderIdentity: 'b', leaseDurationSeconds: 15 }), 'a', 1000, 16_000), 'take', 'unchanged for the lease duration');
  t.equal(
    judgeLease(lease({ holderIdentity: 'b', leaseDurationSeconds: 15, renewTime: '2000-01-01T00:00:00.000000Z' }), 'a', 1000, 2000),
    'held',
    'the renewTime written by another machine is never compared with the local clock',
  );
});

t.test("client-go's default timings; inconsistent timings are refused", async (t) => {
  t.same([DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS], [15_000, 10_000, 2_000]);
  const client = createKubeClient({ kubeConfig: createKubeApiStandIn().kubeConfig() });
  t.throws(() => createLeaderElector({ client, namespace: 'n', name: 'l', identity: 'a', leaseDurationMs: 10_000 }), /lease duration must exceed the renew deadline/);
  t.throws(() => createLeaderElector({ client, namespace: 'n', name: 'l', identity: 'a', retryPeriodMs: 9_000 }), /renew deadline must exceed 1.2/);
});

interface Replica {
  readonly name: string;
  readonly elector: LeaderElector;
  /** Leadership periods as [start, end] in process time (ms). */
  readonly periods: [number, number | undefined][];
}

async function replicas(t: Test, api: KubeApiStandIn, names: string[]): Promise<Replica[]> {
  return names.map((name) => {
    const elector = createLeaderElector({ client: createKubeClient({ kubeConfig: api.kubeConfig({ token: name }) }), namespace: 'fsm-system', name: 'fsm-controller', identity: name, ...timings });
    const periods: [number, number | undefined][] = [];
    elector.onLeading((signal) => {
      const period: [number, number | undefined] = [performance.now(), undefined];
      periods.push(period);
      signal.addEventListener('abort', () => (period[1] = performance.now()), { once: true });
    });
    t.teardown(() => elector.close());
    elector.start();
    return { name, elector, periods };
  });
}

async function standIn(t: Test): Promise<KubeApiStandIn> {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  return api;
}

const holder = (api: KubeApiStandIn) => (api.get('coordination.k8s.io/v1', 'Lease', 'fsm-system', 'fsm-controller') as Lease | undefined)?.spec;

/** No two leadership periods of different replicas overlap. */
function exclusive(t: Test, all: Replica[]) {
  const periods = all.flatMap((r) => r.periods.map(([s, e]) => ({ r: r.name, s, e: e ?? Infinity })));
  for (const a of periods) for (const b of periods) if (a.r !== b.r && a.s < b.s) t.ok(a.e < b.s, `${a.r} stopped leading before ${b.r} started`);
}

t.test('two replicas: one leader, the other follows it; a graceful close hands over', async (t) => {
  const api = await standIn(t);
  const [a, b] = (await replicas(t, api, ['replica-a', 'replica-b'])) as [Replica, Replica];
  await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader());
  const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
  await waitFor('renewals', () => api.requestCount({ method: 'PUT' }) >= 4);
  t.notOk(follower.elector.isLeader(), 'only one leader');
  t.equal(holder(api)?.holderIdentity, leader.name);
  await waitFor('the follower knows the leader', () => follower.elector.leader() === leader.name);
  await leader.elector.close();
  t.equal(holder(api)?.holderIdentity, '', 'released on close');
  await waitFor('the follower takes over', () => follower.elector.isLeader());
  t.equal(holder(api)?.holderIdentity, follower.name);
  t.equal(holder(api)?.leaseTransitions, 1);
  exclusive(t, [a, b]);
});

t.test('the leader dies: the other takes over once the lease has not changed for the lease duration', async (t) => {
  const api = await standIn(t);
  const [a, b] = (await replicas(t, api, ['replica-a', 'replica-b'])) as [Replica, Replica];
  await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader());
  const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
  // A crash: no more requests from the leader, no release.
  api.partition(leader.name, true);
  const lastRenew = Date.parse(holder(api)?.renewTime ?? '');
  await leader.elector.close();
  const killedAt = Date.now();
  await waitFor('the follower takes over', () => follower.elector.isLeader(), 30_000);
  const spec = holder(api);
  t.equal(spec?.holderIdentity, follower.name);
  const takenAt = Date.parse(spec?.acquireTime ?? '');
  t.ok(takenAt - lastRenew >= timings.leaseDurationMs, 'not before the lease expired');
  t.comment(`took over ${takenAt - killedAt} ms after the kill (lease ${timings.leaseDurationMs} ms, retry ${timings.retryPeriodMs} ms)`);
  exclusive(t, [a, b]);
});

t.test('a partitioned leader steps down (fencing) before the other takes over, and follows when healed', async (t) => {
  const api = await standIn(t);
  const [a, b] = (await replicas(t, api, ['replica-a', 'replica-b'])) as [Replica, Replica];
  await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader());
  const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
  const stopped: string[] = [];
  leader.elector.onStoppedLeading((reason) => stopped.push(reason));
  api.partition(leader.name, true);
  await waitFor('the partitioned leader steps down', () => !leader.elector.isLeader(), 30_000);
  t.match(stopped, [/no renewal for 2000 ms/]);
  t.notOk(follower.elector.isLeader(), 'nobody leads yet: the lease has not expired for the others');
  await waitFor('the follower takes over', () => follower.elector.isLeader(), 30_000);
  api.partition(leader.name, false);
  await waitFor('the old leader reads the new holder', () => leader.elector.leader() === follower.name, 30_000);
  t.notOk(leader.elector.isLeader());
  exclusive(t, [a, b]);
});

import t from 'tap';
import { createLeaderWork, type LeaderRun } from '../../src/controller/leader-work.js';
import { waitFor } from '../support/wait-for.js';

/** A LeaderWork whose runs the test observes and releases one at a time. */
function harness(opts: { resyncMs?: number; fail?: () => boolean } = {}) {
  const runs: { term: number; resync: boolean }[] = [];
  const terms: AbortSignal[] = [];
  let active = 0;
  let maxActive = 0;
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const hold = () => {
    gate = new Promise((r) => (open = r));
  };
  const work = createLeaderWork({
    name: 'test work',
    quietMs: 5,
    maxDelayMs: 50,
    retry: { initialMs: 10, maxMs: 20 },
    ...(opts.resyncMs !== undefined ? { resyncMs: opts.resyncMs } : {}),
    term(signal) {
      terms.push(signal);
      const term = terms.length;
      const run: LeaderRun = async ({ resync }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push({ term, resync });
        await gate;
        active--;
        return !(opts.fail?.() ?? false);
      };
      return run;
    },
  });
  return { work, runs, terms, hold, release: () => open(), maxActive: () => maxActive };
}

t.test('a follower does nothing; leadership runs at once, then on kicks, never overlapping', async (t) => {
  const h = harness();
  t.teardown(() => h.work.close());
  h.work.kick();
  await new Promise((r) => setTimeout(r, 50));
  t.same(h.runs, [], 'a kick while not leading runs nothing');

  const leadership = new AbortController();
  h.hold();
  h.work.lead(leadership.signal);
  await waitFor('the first run', () => h.runs.length === 1);
  for (let i = 0; i < 5; i++) h.work.kick();
  await new Promise((r) => setTimeout(r, 60));
  t.equal(h.runs.length, 1, 'kicks during a run wait for it');
  h.release();
  await waitFor('one more run for the five kicks', () => h.runs.length === 2);
  h.release();
  await new Promise((r) => setTimeout(r, 60));
  t.equal(h.runs.length, 2, 'the kicks were coalesced into one run');
  t.equal(h.maxActive(), 1, 'runs never overlapped');
  t.same(h.runs.map((r) => r.resync), [false, false]);
});

t.test('a failing run is retried until it succeeds', async (t) => {
  let failures = 2;
  const h = harness({ fail: () => failures-- > 0 });
  t.teardown(() => h.work.close());
  h.work.lead(new AbortController().signal);
  await waitFor('two retries after two failures', () => h.runs.length === 3);
  await new Promise((r) => setTimeout(r, 80));
  t.equal(h.runs.length, 3, 'no more runs once one succeeded');
});

t.test('ending leadership stops the work; a new term starts over with fresh state', async (t) => {
  const h = harness({ resyncMs: 20 });
  t.teardown(() => h.work.close());
  const first = new AbortController();
  h.work.lead(first.signal);
  await waitFor('a resync run', () => h.runs.some((r) => r.resync));
  h.hold();
  const before = h.runs.length;
  await waitFor('a run in flight', () => h.runs.length > before);
  first.abort();
  const settled = h.runs.length;
  h.release();
  h.work.kick();
  await new Promise((r) => setTimeout(r, 80));
  t.equal(h.runs.length, settled, 'no run after leadership ended: no kick, no resync, no retry');

  const second = new AbortController();
  h.work.lead(second.signal);
  await waitFor('the second term runs', () => h.runs.some((r) => r.term === 2));
  t.equal(h.terms.length, 2, 'the term factory was called again');
  t.equal(h.terms[0]?.aborted, true);
  second.abort();
});

t.test('close waits for the run in flight and stops scheduling', async (t) => {
  const h = harness({ resyncMs: 10 });
  h.hold();
  h.work.lead(new AbortController().signal);
  await waitFor('a run in flight', () => h.runs.length === 1);
  let closed = false;
  const closing = h.work.close().then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 30));
  t.equal(closed, false, 'close waits for the run');
  h.release();
  await closing;
  await new Promise((r) => setTimeout(r, 50));
  t.equal(h.runs.length, 1, 'nothing runs after close');
  h.work.lead(new AbortController().signal);
  await new Promise((r) => setTimeout(r, 30));
  t.equal(h.runs.length, 1, 'a closed LeaderWork takes no new term');
});

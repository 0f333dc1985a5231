import t from 'tap';
import { createCoalescer, type Scheduler } from '../../src/controller/coalescer.js';

/** A fake clock: timers fire only when the test advances time. */
function fakeScheduler() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const sched: Scheduler = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
  };
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      timers.delete(next[0]);
      now = next[1].at;
      next[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    now = end;
    await new Promise((r) => setImmediate(r));
  };
  return { sched, advance };
}

t.test('flushes after the quiet window', async (t) => {
  const { sched, advance } = fakeScheduler();
  const batches: number[][] = [];
  const c = createCoalescer<number>({ quietMs: 100, maxDelayMs: 1000, scheduler: sched, flush: (b) => void batches.push(b) });
  c.add(1);
  await advance(50);
  c.add(2);
  await advance(99);
  t.same(batches, [], 'a change inside the window restarts it');
  await advance(1);
  t.same(batches, [[1, 2]]);
  c.close();
});

t.test('a steady stream of changes is flushed at the maximum delay', async (t) => {
  const { sched, advance } = fakeScheduler();
  const batches: { items: number[]; firstAt: number }[] = [];
  const c = createCoalescer<number>({ quietMs: 100, maxDelayMs: 1000, scheduler: sched, flush: (items, firstAt) => void batches.push({ items, firstAt }) });
  for (let i = 0; i < 15; i++) {
    c.add(i);
    await advance(80);
  }
  t.equal(batches.length, 1, 'flushed once although the stream never went quiet');
  t.equal(batches[0]?.firstAt, 0);
  t.equal(batches[0]?.items.length, 13, 'the items up to 1000 ms');
  c.close();
});

t.test('flushNow does not wait for the window', async (t) => {
  const { sched } = fakeScheduler();
  const batches: number[][] = [];
  const c = createCoalescer<number>({ quietMs: 100, maxDelayMs: 1000, scheduler: sched, flush: (b) => void batches.push(b) });
  c.add(7);
  await c.flushNow();
  t.same(batches, [[7]]);
  t.equal(c.pending(), 0);
  c.close();
});

t.test('changes during a slow flush form the next batch; one flush at a time', async (t) => {
  const { sched, advance } = fakeScheduler();
  let release!: () => void;
  let active = 0;
  let maxActive = 0;
  const batches: number[][] = [];
  const c = createCoalescer<number>({
    quietMs: 10,
    maxDelayMs: 100,
    scheduler: sched,
    flush: async (b) => {
      active++;
      maxActive = Math.max(maxActive, active);
      batches.push(b);
      if (b[0] === 1) await new Promise<void>((r) => (release = r));
      active--;
    },
  });
  c.add(1);
  await advance(10);
  c.add(2);
  c.add(3);
  await advance(50);
  t.same(batches, [[1]], 'second batch waits for the first flush');
  release();
  await new Promise((r) => setImmediate(r));
  await advance(20);
  t.same(batches, [[1], [2, 3]]);
  t.equal(maxActive, 1);
  c.close();
});

t.test('a failing flush is reported and does not stop later batches', async (t) => {
  const { sched, advance } = fakeScheduler();
  const errors: unknown[] = [];
  const seen: number[][] = [];
  const c = createCoalescer<number>({
    quietMs: 10,
    maxDelayMs: 100,
    scheduler: sched,
    onError: (e) => errors.push(e),
    flush: (b) => {
      seen.push(b);
      if (b[0] === 1) throw new Error('boom');
    },
  });
  c.add(1);
  await advance(10);
  c.add(2);
  await advance(10);
  t.equal(errors.length, 1);
  t.same(seen, [[1], [2]]);
  c.close();
});

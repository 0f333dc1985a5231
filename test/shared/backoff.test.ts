import t from 'tap';
import { createBackoff, sleep, type Clock } from '../../src/shared/backoff.js';

t.test('delays double up to maxMs and stay within [base/2, base)', async (t) => {
  for (const r of [0, 0.5, 0.999]) {
    const b = createBackoff({ initialMs: 100, maxMs: 1000, random: () => r });
    const delays = Array.from({ length: 7 }, () => b.next());
    const bases = [100, 200, 400, 800, 1000, 1000, 1000];
    delays.forEach((d, i) => {
      const base = bases[i] ?? 0;
      t.ok(d >= base / 2 && d < base, `delay ${i} = ${d} within [${base / 2}, ${base}) for random ${r}`);
    });
    t.equal(b.attempts, 7);
  }
});

t.test('jitter spreads clients; reset starts over', async (t) => {
  const draws = [0.1, 0.9];
  let i = 0;
  const b = createBackoff({ initialMs: 1000, maxMs: 8000, random: () => draws[i++ % 2] ?? 0 });
  const first = b.next();
  const second = b.next();
  t.equal(first, 500 + 500 * 0.1);
  t.equal(second, 1000 + 1000 * 0.9);
  b.reset();
  t.equal(b.attempts, 0);
  t.equal(b.next(), 500 + 500 * 0.1, 'after reset the base is initialMs again');
});

t.test('invalid options are refused', async (t) => {
  t.throws(() => createBackoff({ initialMs: 0, maxMs: 10 }), RangeError);
  t.throws(() => createBackoff({ initialMs: 100, maxMs: 10 }), RangeError);
});

/** A fake clock: timers fire only when the test advances time. */
function createFakeClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(id);
          timer.fn();
        }
      }
    },
    pending: () => timers.size,
  };
}

t.test('sleep waits on the clock and ends early on abort, leaving no timer', async (t) => {
  const clock = createFakeClock();
  const ac = new AbortController();
  let done = false;
  const p = sleep(clock, 1000, ac.signal).then(() => (done = true));
  clock.advance(999);
  await Promise.resolve();
  t.equal(done, false, 'not before the delay');
  clock.advance(1);
  await p;
  t.equal(done, true);
  t.equal(clock.pending(), 0);

  const aborted = sleep(clock, 60_000, ac.signal);
  t.equal(clock.pending(), 1);
  ac.abort();
  await aborted;
  t.equal(clock.pending(), 0, 'abort clears the timer');
  await sleep(clock, 60_000, ac.signal);
  t.equal(clock.pending(), 0, 'an already aborted signal sets no timer');
});

import t from 'tap';
import { createRotationScheduler } from '../../src/certificate/rotation-scheduler.js';
import type { Clock } from '../../src/certificate/types.js';

/** A manual clock that records armed timers. */
function manualClock() {
  let now = 0;
  const armed: { at: number; fn: () => void; cancelled: boolean }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimer(fn, ms) {
      const timer = { at: now + ms, fn, cancelled: false };
      armed.push(timer);
      return () => void (timer.cancelled = true);
    },
  };
  const live = () => armed.filter((a) => !a.cancelled);
  return {
    clock,
    live,
    /** Sets the time and fires the live timers that are due. */
    advanceTo(at: number) {
      now = at;
      for (const a of live()) {
        if (a.at <= now) {
          a.cancelled = true;
          a.fn();
        }
      }
    },
  };
}

t.test('one timer for the earliest deadline; due keys fire in one batch', async (t) => {
  const c = manualClock();
  const batches: string[][] = [];
  const s = createRotationScheduler({ clock: c.clock, onDue: (keys) => batches.push(keys.sort()) });
  s.schedule('a', 300);
  s.schedule('b', 100);
  s.schedule('c', 100);
  t.equal(c.live().length, 1);
  t.equal(c.live()[0]?.at, 100);
  t.equal(s.earliest(), 100);
  c.advanceTo(100);
  t.same(batches, [['b', 'c']]);
  t.equal(c.live().length, 1, 're-armed for the next deadline');
  t.equal(c.live()[0]?.at, 300);
  s.schedule('a', 500);
  t.equal(c.live()[0]?.at, 500, 'moving a key re-arms');
  s.cancel('a');
  t.equal(c.live().length, 0);
  t.equal(s.earliest(), undefined);
});

t.test('an early wake-up with nothing due re-arms; close stops everything', async (t) => {
  const c = manualClock();
  const batches: string[][] = [];
  const s = createRotationScheduler({ clock: c.clock, onDue: (keys) => batches.push(keys) });
  s.schedule('x', 1000);
  const first = c.live()[0];
  // A timer firing before its target (setTimeout caps long delays).
  if (first) first.cancelled = true;
  first?.fn();
  t.same(batches, [], 'fired before the deadline: nothing handed out');
  t.equal(c.live().length, 1, 're-armed');
  t.equal(c.live()[0]?.at, 1000);
  s.close();
  t.equal(c.live().length, 0);
  s.schedule('y', 10);
  t.equal(c.live().length, 0, 'schedule after close is ignored');
});

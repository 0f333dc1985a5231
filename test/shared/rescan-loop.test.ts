import t from 'tap';
import { createRescanLoop } from '../../src/shared/rescan-loop.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('requests during a scan collapse into one follow-up scan', async (t) => {
  let scans = 0;
  let release!: () => void;
  const loop = createRescanLoop({
    scan: async () => {
      scans++;
      if (scans === 1) await new Promise<void>((r) => (release = r));
    },
    debounceMs: 10,
    onError: () => t.fail('no error expected'),
  });
  const first = loop.rescan();
  const again = [loop.rescan(), loop.rescan(), loop.rescan()];
  t.equal(again[0], first, 'a request during a scan joins it');
  release();
  await Promise.all([first, ...again]);
  t.equal(scans, 2, 'three requests made one more scan');
  await loop.close();
});

t.test('schedule debounces; a failed scan is reported and the next one still runs', async (t) => {
  const errors: unknown[] = [];
  let scans = 0;
  const loop = createRescanLoop({
    scan: async () => {
      scans++;
      if (scans === 1) throw new Error('disk went away');
    },
    debounceMs: 30,
    onError: (err) => errors.push(err),
  });
  loop.schedule();
  loop.schedule();
  loop.schedule();
  await tick(120);
  t.equal(scans, 1, 'a burst of events is one scan');
  t.match(errors, [{ message: 'disk went away' }]);
  await loop.rescan();
  t.equal(scans, 2, 'the loop carries on after a failure');
  await loop.close();
});

t.test('close drops a scheduled scan and stops follow-ups', async (t) => {
  let scans = 0;
  let release!: () => void;
  const loop = createRescanLoop({
    scan: async () => {
      scans++;
      await new Promise<void>((r) => (release = r));
    },
    debounceMs: 10,
    onError: () => undefined,
  });
  void loop.rescan();
  void loop.rescan();
  const closed = loop.close();
  release();
  await closed;
  loop.schedule();
  await tick(50);
  t.equal(scans, 1, 'neither the follow-up nor the scheduled scan ran');
});

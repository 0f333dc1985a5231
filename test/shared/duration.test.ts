import t from 'tap';
import { formatGoDuration, parseGoDuration, tryParseGoDuration } from '../../src/shared/duration.js';

t.test('parses Go durations', async (t) => {
  const cases: [string, number][] = [
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['2h45m10s', 9_910_000],
    ['-1.5s', -1500],
    ['+5m', 300_000],
    ['0', 0],
    ['0s', 0],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1000ns', 0.001],
    ['.5s', 500],
    ['1.s', 1000],
  ];
  for (const [text, ms] of cases) t.equal(parseGoDuration(text), ms, text);
});

t.test('refuses what Go refuses', async (t) => {
  for (const bad of ['', '1', '1d', 'h', '.s', '1h 30m', '5 seconds', '-', '1.5', 'abc']) {
    t.equal(tryParseGoDuration(bad), undefined, JSON.stringify(bad));
    t.throws(() => parseGoDuration(bad), RangeError);
  }
});

t.test('formats like Duration.String()', async (t) => {
  t.equal(formatGoDuration(5_400_000), '1h30m0s');
  t.equal(formatGoDuration(1500), '1.5s');
  t.equal(formatGoDuration(0), '0s');
  t.equal(formatGoDuration(250), '250ms');
  t.equal(formatGoDuration(-61_000), '-1m1s');
  t.equal(parseGoDuration(formatGoDuration(9_910_000)), 9_910_000);
});

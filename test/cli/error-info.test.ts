import t from 'tap';
import { run } from '../../src/cli/commands/error-info.js';
import { ERROR_CODES } from '../../src/observability/error-codes.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

t.test('prints the whole table, one line per code, in code order', async (t) => {
  const c = capture();
  t.equal(await run([], c.io), 0);
  t.equal(c.out.length, ERROR_CODES.length);
  const codes = c.out.map((l) => l.split(' ')[0] as string);
  t.same(codes, [...codes].sort(), 'sorted by code');
  t.equal(new Set(codes).size, codes.length, 'no duplicates');
  for (const must of ['E1000', 'E2002', 'E2004', 'E2005', 'E2006', 'E2007', 'E2009', 'E2010', 'E2011', 'E3000', 'E4000', 'E4013', 'E6100', 'E6703', 'E7005']) {
    t.ok(codes.includes(must), must);
  }
});

/** Every code of FSM's documented table (FSM docs §8.2, the output of `fsm support error-info`). */
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `E${from + i}`);
const DOCUMENTED = [
  ...range(1000, 1005),
  ...range(2000, 2011),
  ...range(3000, 3002),
  ...range(4000, 4016),
  'E4100',
  ...range(4150, 4153),
  ...range(5000, 5030),
  ...range(6100, 6114),
  ...range(6700, 6703),
  ...range(7000, 7005),
];

t.test("the table has exactly the codes of FSM's documented table, with the documented meanings, and this project's own 8000 range", async (t) => {
  t.same(ERROR_CODES.map((i) => i.code).filter((c) => !c.startsWith('E8')), DOCUMENTED);
  t.same(ERROR_CODES.map((i) => i.code).filter((c) => c.startsWith('E8')), ['E8000', 'E8001', 'E8002', 'E8003', 'E8004', 'E8005', 'E8006'], 'service registries (FSM has no codes there)');
  const c = capture();
  await run([], c.io);
  const text = (code: string) => c.out.find((l) => l.startsWith(`${code} `)) ?? '';
  // Where FSM's source numbers differently, the documentation wins.
  t.match(text('E1003'), /fsm-injector Pod/);
  t.match(text('E1004'), /Ingress/);
  t.match(text('E1005'), /reconciler/);
  t.match(text('E5028'), /^E5028  A requested secret does not correspond to a mesh service/);
  t.match(text('E5029'), /service account/);
  t.match(text('E5030'), /identity of a requested certificate differs/);
});

t.test('prints one entry; accepts lower case and bare numbers', async (t) => {
  for (const arg of ['E2002', 'e2002', '2002']) {
    const c = capture();
    t.equal(await run([arg], c.io), 0);
    t.equal(c.out.length, 1);
    t.match(c.out[0], /^E2002  ErrInvalidEgressIPRange: .*CIDR/);
  }
  const c = capture();
  t.equal(await run(['E2010'], c.io), 0);
  t.match(c.out[0], /destination kind/);
});

t.test('an unknown code exits 1 with a message', async (t) => {
  const c = capture();
  t.equal(await run(['E9999'], c.io), 1);
  t.same(c.out, []);
  t.match(c.err[0], /unknown error code "E9999"/);
});

t.test('--help prints the usage; flags and extra arguments are usage errors', async (t) => {
  const c = capture();
  t.equal(await run(['--help'], c.io), 0);
  t.match(c.out.join('\n'), /^usage: fsm-controller error-info \[CODE\]/);
  t.same(c.err, []);
  const f = capture();
  t.equal(await run(['--bogus'], f.io), 2);
  t.match(f.err[0], /^E1000: unknown flag --bogus/);
  const two = capture();
  t.equal(await run(['E1000', 'E2000'], two.io), 2);
  t.match(two.err[0], /^E1000: one code expected/);
});

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
  for (const must of ['E1000', 'E2002', 'E2004', 'E2005', 'E2006', 'E2007', 'E2009', 'E2010', 'E2011', 'E3000', 'E4000', 'E5003', 'E6100', 'E6703', 'E7005']) {
    t.ok(codes.includes(must), must);
  }
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

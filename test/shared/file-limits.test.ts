import t from 'tap';
import { nestsDeeperThan, parserFailure } from '../../src/shared/file-limits.js';

t.test('nestsDeeperThan counts maps and lists, iteratively', async (t) => {
  t.equal(nestsDeeperThan({ a: { b: [1] } }, 3), false);
  t.equal(nestsDeeperThan({ a: { b: [{}] } }, 3), true);
  t.equal(nestsDeeperThan('x', 0), false);
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  t.equal(nestsDeeperThan(deep, 100), true, '100,000 deep: no stack overflow');
});

t.test('parserFailure words stack exhaustion and alias bombs', async (t) => {
  t.equal(parserFailure(new RangeError('Maximum call stack size exceeded')), 'nested more than 100 levels deep; document refused');
  t.equal(parserFailure(new ReferenceError('Excessive alias count indicates a resource exhaustion attack')), 'YAML: more than 100 alias expansions (a possible alias bomb); document refused');
  t.equal(parserFailure(new Error('boom')), 'cannot parse: boom');
});

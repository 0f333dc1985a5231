import t from 'tap';
import { createDeltaSubscription, createSotwSubscription } from '../../server/subscription.js';

t.test('SotW: legacy wildcard until a name is asked for', async (t) => {
  const s = createSotwSubscription([], { allowLegacyWildcard: true });
  t.equal(s.wildcard, true);
  s.setNames([]);
  t.equal(s.wildcard, true, 'stays legacy wildcard through empty requests');
  s.setNames(['a']);
  t.equal(s.wildcard, false);
  s.setNames([]);
  t.equal(s.wildcard, false, 'legacy mode does not come back');
});

t.test('SotW: legacy off means nothing; "*" is explicit; dropped names are forgotten', async (t) => {
  const s = createSotwSubscription([], { allowLegacyWildcard: false });
  t.equal(s.wildcard, false);
  t.equal(s.names.size, 0);
  s.setNames(['*', 'a']);
  t.equal(s.wildcard, true);
  t.same([...s.names], ['a']);
  s.setNames(['a', 'b']);
  s.setReturned(new Map([['a', 'v1'], ['b', 'v1']]));
  s.setNames(['a']);
  t.same([...s.returned.keys()], ['a'], 'b is resent if asked for again');
});

t.test('delta: initial versions seed returned; "*" subscribe/unsubscribe; unsubscribe under wildcard forces resend', async (t) => {
  const s = createDeltaSubscription(['*'], new Map([['a', 'h1'], ['b', 'h2']]), { allowLegacyWildcard: false });
  t.equal(s.wildcard, true);
  t.same(Object.fromEntries(s.returned), { a: 'h1', b: 'h2' });
  s.update(['c'], ['a']);
  t.same([...s.names], ['c']);
  t.equal(s.returned.get('a'), '', 'a is still covered by the wildcard: resend or remove');
  s.update([], ['*']);
  t.equal(s.wildcard, false);
  s.update([], ['b']);
  t.equal(s.returned.has('b'), false, 'not wildcard: the client just forgets b');
});

t.test('delta: legacy wildcard ends with the first named subscription', async (t) => {
  const s = createDeltaSubscription([], new Map(), { allowLegacyWildcard: true });
  t.equal(s.wildcard, true);
  s.update(['x'], []);
  t.equal(s.wildcard, false);
  t.equal(createDeltaSubscription([], new Map(), { allowLegacyWildcard: false }).wildcard, false);
});

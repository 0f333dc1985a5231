import t from 'tap';
import { createWakeBatches, WAKE_BATCH } from '../../server/wake-batches.js';

t.test('the first batch runs after the current synchronous run, before the event loop turns', async (t) => {
  const batches = createWakeBatches(3);
  const order: string[] = [];
  setImmediate(() => order.push('turn'));
  for (const name of ['a', 'b']) batches.schedule(() => order.push(name));
  order.push('sync');
  await Promise.resolve();
  t.same(order, ['sync', 'a', 'b'], 'a microtask: nothing else ran in between');
  await new Promise((r) => setImmediate(r));
  t.same(order, ['sync', 'a', 'b', 'turn']);
});

t.test('more wakes than a batch: one batch per turn of the event loop, in order, each once', async (t) => {
  const batches = createWakeBatches(2);
  const order: string[] = [];
  for (const name of ['a', 'b', 'c', 'd', 'e']) batches.schedule(() => order.push(name));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  t.same(order, ['a', 'b'], 'one batch before the loop turns, however many microtasks run');
  await new Promise((r) => setImmediate(r));
  t.same(order, ['a', 'b', 'c', 'd'], 'the next in the next turn');
  await new Promise((r) => setImmediate(r));
  t.same(order, ['a', 'b', 'c', 'd', 'e']);
  await new Promise((r) => setTimeout(r, 10));
  t.equal(order.length, 5, 'nothing runs twice');
});

t.test('a wake scheduled while a batch runs waits for its turn', async (t) => {
  const batches = createWakeBatches(2);
  const order: string[] = [];
  batches.schedule(() => {
    order.push('a');
    batches.schedule(() => order.push('late'));
  });
  batches.schedule(() => order.push('b'));
  batches.schedule(() => order.push('c'));
  await new Promise((r) => setTimeout(r, 20));
  t.same(order, ['a', 'b', 'c', 'late']);
  batches.schedule(() => order.push('again'));
  await Promise.resolve();
  t.same(order.at(-1), 'again', 'an idle queue starts with a microtask again');
  t.ok(WAKE_BATCH >= 16, 'the default batch is a few dozen streams');
});

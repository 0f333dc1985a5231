import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { composeCallbacks } from '../../server/compose-callbacks.js';
import { StatusCode } from '../../server/errors.js';
import type { XdsCallbacks } from '../../server/stream-types.js';
import { connect, eventually, startServer } from '../support/xds-harness.js';

t.test('every observer hears every hook in order, with the arguments and itself as this', async (t) => {
  const heard: string[] = [];
  class Counter {
    opened = 0;
    onStreamOpen(id: number, typeUrl: string) {
      this.opened++;
      heard.push(`class open ${id} '${typeUrl}'`);
    }
  }
  const counter = new Counter();
  const plain: XdsCallbacks = {
    onStreamOpen: (id) => heard.push(`plain open ${id}`),
    onStreamClosed: (id, node) => heard.push(`plain closed ${id} ${node?.id}`),
  };
  const cb = composeCallbacks<XdsCallbacks>(counter, undefined, plain);
  cb.onStreamOpen?.(7, '', { address: 'peer' });
  cb.onStreamClosed?.(7, { id: 'n', cluster: 'c' });
  t.same(heard, ["class open 7 ''", 'plain open 7', 'plain closed 7 n']);
  t.equal(counter.opened, 1, 'a class method ran with its instance as this');
  t.same(Object.keys(cb).sort(), ['onStreamClosed', 'onStreamOpen'], 'hooks no observer has are absent');
  t.same(composeCallbacks<XdsCallbacks>(), {}, 'no observers: no hooks');
});

t.test('hooks are looked up when composing; return values are ignored', async (t) => {
  const observer: { onStreamRequest?: () => number; onStreamOpen?: () => void } = { onStreamRequest: () => 42 };
  const cb = composeCallbacks(observer);
  observer.onStreamOpen = () => t.fail('added after composing');
  t.equal((cb.onStreamRequest as () => unknown)(), undefined);
  t.equal(cb.onStreamOpen, undefined);
});

t.test('a throwing observer does not hide the event from the others; its error is rethrown as is', async (t) => {
  const seen: string[] = [];
  const denied = Object.assign(new Error('go away'), { code: StatusCode.PERMISSION_DENIED });
  const cb = composeCallbacks<XdsCallbacks>(
    { onStreamOpen: () => seen.push('first') },
    {
      onStreamOpen: () => {
        throw denied;
      },
    },
    { onStreamOpen: () => seen.push('third') },
  );
  t.throws(() => cb.onStreamOpen?.(1, '', { address: 'p' }), denied);
  t.same(seen, ['first', 'third']);
});

t.test('several throwing observers: an AggregateError of all, with the first numeric code', async (t) => {
  const a = new Error('a failed');
  const b = Object.assign(new Error('b failed'), { code: StatusCode.UNAVAILABLE });
  const c = Object.assign(new Error('c failed'), { code: StatusCode.PERMISSION_DENIED });
  const thrower = (e: Error) => ({
    onStreamRequest: () => {
      throw e;
    },
  });
  const cb = composeCallbacks<XdsCallbacks>(thrower(a), thrower(b), thrower(c));
  let caught: unknown;
  try {
    cb.onStreamRequest?.(1, {} as never);
  } catch (err) {
    caught = err;
  }
  t.type(caught, AggregateError);
  t.same((caught as AggregateError).errors, [a, b, c]);
  t.equal((caught as { code?: number }).code, StatusCode.UNAVAILABLE);
  t.equal((caught as Error).message, '3 onStreamRequest callbacks threw: a failed; b failed; c failed');
  const codeless = composeCallbacks<XdsCallbacks>(thrower(a), thrower(new Error('d')));
  t.throws(() => codeless.onStreamRequest?.(1, {} as never), { name: 'AggregateError', code: undefined }, 'no code when none of them has one');
});

t.test('two observers share a real xDS server; a refusal by one keeps the other balanced', async (t) => {
  const metrics = { open: 0, requests: 0 };
  const counting: XdsCallbacks = {
    onStreamOpen: () => void metrics.open++,
    onStreamClosed: () => void metrics.open--,
    onStreamRequest: () => void metrics.requests++,
  };
  const refusing: XdsCallbacks = {
    onStreamRequest: (_id, req) => {
      if (req.node?.id === 'intruder') throw Object.assign(new Error('not in the mesh'), { code: StatusCode.PERMISSION_DENIED });
    },
  };
  const { address, watcher } = await startServer(t, { callbacks: composeCallbacks(counting, refusing) });
  watcher.set(TypeUrl.Cluster, 'v1', [{ name: 'a' }]);
  const good = connect(t, address);
  const intruder = connect(t, address, { node: { id: 'intruder', cluster: 'x' } });
  good.subscribe(TypeUrl.Cluster, []);
  intruder.subscribe(TypeUrl.Cluster, []);
  t.same(await intruder.status, { code: StatusCode.PERMISSION_DENIED, details: 'not in the mesh' }, 'the refusing observer closed its stream with its code');
  t.equal((await good.next()).versionInfo, 'v1', 'the other stream is served');
  t.ok(await eventually(() => metrics.open === 1), 'the counting observer saw the refused stream open and close');
  t.equal(metrics.requests, 2, 'and counted its request');
  good.close();
  t.ok(await eventually(() => metrics.open === 0));
});

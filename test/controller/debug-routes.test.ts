import t, { type Test } from 'tap';
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';
import { waitFor } from '../support/wait-for.js';

// /debug/* lists every proxy and codebase name (in plain HTTP mode, enough to
// fetch a proxy's private key from the repo port): off unless --debug.
// /health/* and /metrics stay on for kubelet probes and Prometheus.

async function statuses(t: Test, flags: string[]) {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-debug-routes');
  const o = parseControllerOptions(
    ['--source', `file:${dir}`, '--state-dir', stateDir, ...flags, '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  const { admin } = await controller.start();
  await waitFor('controller ready', () => controller.isReady());
  const out: Record<string, number> = {};
  for (const path of ['/health/alive', '/health/ready', '/metrics', '/debug/proxies', '/debug/proxies/bookbuyer/bookbuyer-7676c7fcc8-8nqb5', '/debug/errors', '/debug/xds', '/debug/stats']) {
    out[path] = (await fetch(`http://127.0.0.1:${admin}${path}`)).status;
  }
  return out;
}

t.test('without --debug only /health/* and /metrics answer', async (t) => {
  t.same(await statuses(t, []), {
    '/health/alive': 200,
    '/health/ready': 200,
    '/metrics': 200,
    '/debug/proxies': 404,
    '/debug/proxies/bookbuyer/bookbuyer-7676c7fcc8-8nqb5': 404,
    '/debug/errors': 404,
    '/debug/xds': 404,
    '/debug/stats': 404,
  });
});

t.test('with --debug the debug routes answer too', async (t) => {
  t.same(await statuses(t, ['--debug']), {
    '/health/alive': 200,
    '/health/ready': 200,
    '/metrics': 200,
    '/debug/proxies': 200,
    '/debug/proxies/bookbuyer/bookbuyer-7676c7fcc8-8nqb5': 200,
    '/debug/errors': 200,
    '/debug/xds': 200,
    '/debug/stats': 200,
  });
});

import t from 'tap';
import { helpText, parseControllerOptions, UsageError } from '../../src/controller/options.js';

t.test('defaults and repeated sources', async (t) => {
  const o = parseControllerOptions(['--source', 'file:examples/bookstore', '--source=kubernetes'], {});
  if (o === 'help') throw new Error('unexpected help');
  t.same(o.sources, [{ text: 'file:examples/bookstore', scheme: 'file', config: { dir: 'examples/bookstore' } }, { text: 'kubernetes', scheme: 'kubernetes', config: {} }]);
  t.equal(o.meshName, 'fsm');
  t.equal(o.fsmNamespace, 'fsm-system');
  t.equal(o.trustDomain, 'cluster.local');
  t.equal(o.xdsListen, '0.0.0.0:15128');
  t.equal(o.repoListen, '0.0.0.0:6060');
  t.equal(o.adminListen, '0.0.0.0:9091');
  t.equal(o.quietMs, 100);
  t.equal(o.maxDelayMs, 1000);
  t.equal(o.repoTls, false);
});

t.test('environment variables, overridden by flags', async (t) => {
  const o = parseControllerOptions(['--mesh-name', 'flag-mesh'], { FSM_SOURCE: 'file:a,kubernetes', FSM_MESH_NAME: 'env-mesh', FSM_TRUST_DOMAIN: 'example.org', FSM_XDS_TLS: 'true' });
  if (o === 'help') throw new Error('unexpected help');
  t.equal(o.meshName, 'flag-mesh');
  t.equal(o.trustDomain, 'example.org');
  t.equal(o.xdsTls, true);
  t.same(o.sources.map((s) => s.config), [{ dir: 'a' }, {}]);
});

t.test('--help', async (t) => {
  t.equal(parseControllerOptions(['--help'], {}), 'help');
  t.match(helpText(), /--xds-listen VALUE .*FSM_XDS_LISTEN/);
});

t.test('bad flags are all reported with E1000', async (t) => {
  const err = t.throws(() => parseControllerOptions(['--source', 'ftp:x', '--bogus', '--quiet-ms', 'soon', '--admin-listen', 'nope'], {})) as UsageError;
  t.ok(err instanceof UsageError);
  t.equal(err.code, 'E1000');
  t.match(err.message, /E1000: flag --source: "ftp:x"/);
  t.match(err.message, /E1000: unknown flag --bogus/);
  t.match(err.message, /E1000: flag --quiet-ms: "soon" is not a non-negative integer/);
  t.match(err.message, /E1000: flag --admin-listen: "nope" is not HOST:PORT/);
});

t.test('a source is required', async (t) => {
  t.throws(() => parseControllerOptions([], {}), /at least one --source/);
});

t.test('--gateway-codebase / FSM_GATEWAY_CODEBASE: the gateway base scripts, default the built-in one', async (t) => {
  const none = parseControllerOptions(['--source', 'kubernetes'], {});
  if (none === 'help') throw new Error('unexpected help');
  t.equal(none.gatewayCodebase, undefined);
  const flag = parseControllerOptions(['--source', 'kubernetes', '--gateway-codebase', '/opt/fsm/gateways'], { FSM_GATEWAY_CODEBASE: '/env' });
  if (flag === 'help') throw new Error('unexpected help');
  t.equal(flag.gatewayCodebase, '/opt/fsm/gateways');
  const env = parseControllerOptions(['--source', 'kubernetes'], { FSM_GATEWAY_CODEBASE: '/env' });
  if (env === 'help') throw new Error('unexpected help');
  t.equal(env.gatewayCodebase, '/env');
  t.match(helpText(), /--gateway-codebase VALUE .*FSM_GATEWAY_CODEBASE/);
});

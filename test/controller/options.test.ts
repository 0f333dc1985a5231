import t from 'tap';
import { helpText, parseControllerOptions, UsageError } from '../../src/controller/options.js';

t.test('defaults and repeated sources', async (t) => {
  const o = parseControllerOptions(['--source', 'file:examples/bookstore', '--source=kubernetes'], {});
  if (o === 'help') throw new Error('unexpected help');
  t.same(o.sources, [{ text: 'file:examples/bookstore', scheme: 'file', config: { dir: 'examples/bookstore' } }, { text: 'kubernetes', scheme: 'kubernetes', config: { secrets: false } }]);
  t.equal(o.meshName, 'fsm');
  t.equal(o.fsmNamespace, 'fsm-system');
  t.equal(o.trustDomain, 'cluster.local');
  t.equal(o.xdsListen, '0.0.0.0:15128');
  t.equal(o.repoListen, '0.0.0.0:6060');
  t.equal(o.adminListen, '0.0.0.0:9091');
  t.equal(o.quietMs, 100);
  t.equal(o.maxDelayMs, 1000);
  t.equal(o.repoTls, true, 'TLS by default with the Kubernetes source');
});

t.test('environment variables, overridden by flags', async (t) => {
  const o = parseControllerOptions(['--mesh-name', 'flag-mesh'], { FSM_SOURCE: 'file:a,kubernetes', FSM_MESH_NAME: 'env-mesh', FSM_TRUST_DOMAIN: 'example.org', FSM_XDS_TLS: 'true' });
  if (o === 'help') throw new Error('unexpected help');
  t.equal(o.meshName, 'flag-mesh');
  t.equal(o.trustDomain, 'example.org');
  t.equal(o.xdsTls, true);
  t.same(o.sources.map((s) => s.config), [{ dir: 'a' }, { secrets: false }]);
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

t.test('the file source keeps plain HTTP and no Kubernetes settings by default', async (t) => {
  const o = parseControllerOptions(['--source', 'file:examples/bookstore'], {});
  if (o === 'help') throw new Error('unexpected help');
  t.equal(o.repoTls, false);
  t.equal(o.xdsTls, false);
  t.equal(o.kubernetes, undefined);
  t.throws(() => parseControllerOptions(['--source', 'file:x', '--injector'], {}), /--plain-http and --injector need --source kubernetes/);
});

t.test('Kubernetes: TLS and the injector by default, with FSM-like settings', async (t) => {
  const o = parseControllerOptions(['--source', 'kubernetes', '--mesh-name', 'blue'], {});
  if (o === 'help') throw new Error('unexpected help');
  t.equal(o.repoTls, true);
  t.equal(o.xdsTls, true);
  t.same(o.kubernetes, {
    plainHttp: false,
    injector: {
      listen: '0.0.0.0:9090',
      servicePort: 9090,
      webhookConfigName: 'fsm-controller-webhook-blue',
      timeoutSeconds: 20,
      initImage: 'flomesh/fsm-sidecar-init:1.6.0',
      healthcheckImage: 'flomesh/fsm-healthcheck:1.6.0',
      pullPolicy: 'IfNotPresent',
      bootstrapGraceMs: 300_000,
    },
  });
});

t.test('Kubernetes: plain HTTP only when asked, the injector can be turned off', async (t) => {
  const plain = parseControllerOptions(['--source', 'kubernetes', '--plain-http', '--injector=false'], {});
  if (plain === 'help') throw new Error('unexpected help');
  t.equal(plain.repoTls, false);
  t.equal(plain.xdsTls, false);
  t.same(plain.kubernetes, { plainHttp: true, injector: undefined });
  const repoOnly = parseControllerOptions(['--source', 'kubernetes', '--xds-tls=false'], { FSM_WEBHOOK_LISTEN: '127.0.0.1:9443', FSM_BOOTSTRAP_SECRET_GC: '1h' });
  if (repoOnly === 'help') throw new Error('unexpected help');
  t.equal(repoOnly.repoTls, true);
  t.equal(repoOnly.kubernetes?.plainHttp, true, 'one plain port is plain HTTP (warned)');
  t.equal(repoOnly.kubernetes?.injector?.servicePort, 9443);
  t.equal(repoOnly.kubernetes?.injector?.bootstrapGraceMs, 3_600_000);
  const err = t.throws(() =>
    parseControllerOptions(['--source', 'kubernetes', '--plain-http', '--repo-tls', '--webhook-timeout', '31', '--image-pull-policy', 'Sometimes', '--bootstrap-secret-gc', '1s'], {}),
  ) as UsageError;
  t.match(err.message, /--plain-http contradicts --repo-tls/);
  t.match(err.message, /--webhook-timeout: 31 is not between 1 and 30/);
  t.match(err.message, /--image-pull-policy: "Sometimes"/);
  t.match(err.message, /--bootstrap-secret-gc: "1s" is not a duration of at least 10s/);
});

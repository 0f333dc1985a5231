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

t.test('a bad value from an environment variable names the variable, not the flag', async (t) => {
  const err = t.throws(() =>
    parseControllerOptions([], { FSM_SOURCE: 'examples/bookstore', FSM_QUIET_MS: 'soon', FSM_REPO_TLS: 'yes', FSM_ADMIN_LISTEN: 'nope', FSM_LOG_LEVEL: 'loud', FSM_MESH_NAME: 'My_Mesh' }),
  ) as UsageError;
  t.same(err.problems, [
    'environment variable FSM_SOURCE: "examples/bookstore": unknown source scheme "examples/bookstore" (expected kubernetes[:secrets] | file:DIR | consul:URL[?namespace=NS&dc=DC&token=T&service=GLOB&tag=T&meta=K:V&sync=true…] | eureka:URL[?namespace=NS&interval=5s&service=GLOB&meta=K:V&sync=true…] | nacos:URL[?namespace=NS&namespaceId=ID&group=G&cluster=C&username=U&password=P&api=v1|v2&sync=true…] | etcd:URL[/prefix][?namespace=NS&protocol=grpc&watchTimeout=60s…] | zookeeper:HOST:PORT[,HOST:PORT…][/root][?namespace=NS&category=providers&digest=U:P…]); for a directory write file:examples/bookstore',
    'environment variable FSM_MESH_NAME: "My_Mesh" is not an RFC 1123 DNS label (at most 63 characters: lowercase letters, digits and \'-\', starting and ending with a letter or digit)',
    'environment variable FSM_REPO_TLS: "yes" is not a boolean (true/false)',
    'environment variable FSM_ADMIN_LISTEN: "nope" is not HOST:PORT',
    'environment variable FSM_QUIET_MS: "soon" is not a non-negative integer',
    'environment variable FSM_LOG_LEVEL: "loud" is not one of debug, info, warn, error',
  ]);
  const flagged = t.throws(() => parseControllerOptions(['--quiet-ms', 'soon'], { FSM_SOURCE: 'kubernetes', FSM_QUIET_MS: '5' })) as UsageError;
  t.same(flagged.problems, ['flag --quiet-ms: "soon" is not a non-negative integer'], 'a flag overriding the variable is named as the flag');
  const order = t.throws(() => parseControllerOptions(['--source', 'kubernetes'], { FSM_MAX_DELAY_MS: '10', FSM_QUIET_MS: '50' })) as UsageError;
  t.same(order.problems, ['environment variable FSM_MAX_DELAY_MS (10) must not be below FSM_QUIET_MS (50)']);
});

t.test('--mesh-name and --fsm-namespace must be RFC 1123 DNS labels', async (t) => {
  for (const bad of ['Fsm', 'fsm_mesh', '-fsm', 'fsm-', 'a'.repeat(64), '']) {
    const err = t.throws(() => parseControllerOptions(['--source', 'kubernetes', `--mesh-name=${bad}`], {})) as UsageError;
    t.match(err.problems, [/^flag --mesh-name: ".*" is not an RFC 1123 DNS label/], JSON.stringify(bad));
  }
  t.throws(() => parseControllerOptions(['--source', 'kubernetes', '--fsm-namespace', 'FSM.system'], {}), /flag --fsm-namespace: "FSM.system" is not an RFC 1123 DNS label/);
  const ok = parseControllerOptions(['--source', 'kubernetes', '--mesh-name', 'mesh-1', '--fsm-namespace', 'a'.repeat(63)], {});
  t.equal(ok !== 'help' && ok.meshName, 'mesh-1');
});

t.test('hardening flags: --debug, --allow-new-root, --log-format, file limits', async (t) => {
  const d = parseControllerOptions(['--source', 'kubernetes'], {});
  if (d === 'help') throw new Error('unexpected help');
  t.same([d.debug, d.allowNewRoot, d.logFormat, d.manifestLimits], [false, false, 'json', { maxFileBytes: 4194304, maxObjectsPerFile: 10000 }], 'defaults');
  const o = parseControllerOptions(['--source', 'kubernetes', '--debug', '--allow-new-root', '--log-format', 'text', '--file-max-bytes', '1000', '--file-max-objects=7'], {});
  if (o === 'help') throw new Error('unexpected help');
  t.same([o.debug, o.allowNewRoot, o.logFormat, o.manifestLimits], [true, true, 'text', { maxFileBytes: 1000, maxObjectsPerFile: 7 }]);
  const env = parseControllerOptions(['--source', 'kubernetes'], { FSM_DEBUG: 'true', FSM_LOG_FORMAT: 'text' });
  t.same(env !== 'help' && [env.debug, env.logFormat], [true, 'text'], 'from FSM_DEBUG and FSM_LOG_FORMAT');
  t.throws(() => parseControllerOptions(['--source', 'kubernetes', '--log-format', 'xml', '--file-max-objects', '0'], {}), /flag --log-format: "xml" is not one of json, text\nE1000: flag --file-max-objects: "0" is not an integer of at least 1/);
  t.match(helpText(), /--debug .*\[FSM_DEBUG\]/);
  t.match(helpText(), /--version/);
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

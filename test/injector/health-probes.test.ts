import t from 'tap';
import { isRewritten, rewriteHealthProbes, rewriteProbe, usesTcp } from '../../src/model/health-probes.js';

const container = { name: 'app', ports: [{ name: '-some-port-', containerPort: 2344 }, { name: '-some-other-port-', containerPort: 8877 }] };

t.test("ports as FSM's getPort finds them: numbered, named, unmatched (0)", async (t) => {
  const port = (p: number | string) => rewriteProbe({ tcpSocket: { port: p } }, 'liveness', container)?.original.Port;
  t.equal(port(9955), 9955, 'numbered');
  t.equal(port('-some-port-'), 2344, 'named');
  t.equal(port('-another-port-'), 0, 'no matching name');
  t.equal(rewriteProbe({ tcpSocket: { port: 'x' } }, 'liveness', { name: 'c' })?.original.Port, 0, 'no container ports');
});

t.test('httpGet (docs §5.1): moved to 15901 on /fsm-healthcheck with the original port and path in headers', async (t) => {
  const r = rewriteProbe({ httpGet: { path: '/liveness', port: 14001, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10 }, 'liveness', container);
  t.same(r?.probe, {
    httpGet: { path: '/fsm-healthcheck', port: 15901, scheme: 'HTTP', httpHeaders: [{ name: 'Original-Http-Port', value: '14001' }, { name: 'Original-Http-Path', value: '/liveness' }] },
    timeoutSeconds: 1,
    periodSeconds: 10,
  });
  t.same(r?.original, { Path: '/liveness', Port: 14001, Timeout: 1e9, IsHTTP: true, IsTCPSocket: false });
  const noScheme = rewriteProbe({ httpGet: { path: '/ready', port: '-some-port-' } }, 'readiness', container);
  t.equal((noScheme?.probe['httpGet'] as { scheme?: string }).scheme, undefined, 'an omitted scheme stays omitted');
  t.equal((noScheme?.probe['httpGet'] as { port: number }).port, 15902);
});

t.test('HTTPS becomes HTTP with Original-Tcp-Port; tcpSocket becomes an httpGet on 15904 (docs §5.1)', async (t) => {
  const https = rewriteProbe({ httpGet: { path: '/s', port: 8443, scheme: 'HTTPS' } }, 'startup', container);
  t.same(https?.probe['httpGet'], { path: '/fsm-healthcheck', port: 15903, scheme: 'HTTP', httpHeaders: [{ name: 'Original-Tcp-Port', value: '8443' }] });
  const tcp = rewriteProbe({ tcpSocket: { port: 14001 }, initialDelaySeconds: 3 }, 'liveness', container);
  t.same(tcp?.probe, { initialDelaySeconds: 3, httpGet: { path: '/fsm-healthcheck', port: 15904, httpHeaders: [{ name: 'Original-Tcp-Port', value: '14001' }] } });
  t.ok(tcp?.original.IsTCPSocket);
  t.equal(rewriteProbe({ exec: { command: ['true'] } }, 'liveness', container), undefined, 'exec probes are left alone');
});

t.test('a probe is rewritten exactly once', async (t) => {
  const once = rewriteProbe({ httpGet: { path: '/liveness', port: 14001 } }, 'liveness', container);
  t.ok(once && isRewritten(once.probe));
  t.equal(rewriteProbe(once?.probe ?? {}, 'liveness', container), undefined);
  const all = rewriteHealthProbes([{ name: 'a', livenessProbe: once?.probe ?? {}, readinessProbe: { tcpSocket: { port: 80 } } }]);
  t.same(all.rewrites.map((r) => r.field), ['readinessProbe']);
  t.equal(all.originals.Liveness, null);
  t.ok(usesTcp(all.originals));
});

import t from 'tap';
import { rewriteProbe } from '../../../src/generate/sidecar/spec.js';
import type { Container, Probe } from '../../../src/model/types.js';

const container: Container = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] };

t.test('an original probe is rewritten once to the sidecar with its original port and path', async (t) => {
  const probe: Probe = { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 };
  const once = rewriteProbe(probe, 'readiness', container);
  t.same(once, {
    periodSeconds: 5,
    httpGet: { path: '/fsm-healthcheck', port: 15902, scheme: 'HTTP', httpHeaders: [{ name: 'Original-Http-Port', value: '8080' }, { name: 'Original-Http-Path', value: '/healthz' }] },
  });
  // A pod injected on a cluster carries the rewritten probe; before, it got a second Original-Http-Port: 15902.
  t.same(rewriteProbe(once as Probe, 'readiness', container), once, 'a rewritten probe is kept as it is');
  const tcp = rewriteProbe({ tcpSocket: { port: 5432 } }, 'liveness', container);
  t.same(rewriteProbe(tcp as Probe, 'liveness', container), tcp, 'so is a rewritten TCP probe (15904)');
});

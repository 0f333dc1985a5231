import t from 'tap';
import { rewriteProbe } from '../../../src/generate/sidecar/spec.js';
import { rewriteProbe as injectorRewrite } from '../../../src/model/health-probes.js';

const app = { name: 'app', ports: [{ name: 'web', containerPort: 14001 }] };

t.test('a probe the injector already rewrote reaches Spec.Probes as it is (no second Original-Http-Port)', async (t) => {
  const original = { httpGet: { path: '/liveness', port: 'web' as const }, periodSeconds: 10 };
  const fromFile = rewriteProbe(original, 'liveness', app);
  t.same(fromFile?.httpGet?.httpHeaders, [{ name: 'Original-Http-Port', value: '14001' }, { name: 'Original-Http-Path', value: '/liveness' }], 'an original probe is rewritten as FSM\'s injector would');
  const injected = injectorRewrite(original, 'liveness', app)?.probe as Parameters<typeof rewriteProbe>[0];
  t.equal(rewriteProbe(injected, 'liveness', app), injected, 'an injected probe passes through');
  const tcp = injectorRewrite({ tcpSocket: { port: 14001 } }, 'readiness', app)?.probe as Parameters<typeof rewriteProbe>[0];
  t.equal(rewriteProbe(tcp, 'readiness', app), tcp);
});

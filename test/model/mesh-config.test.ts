import t from 'tap';
import { createMeshConfigView, effectiveMeshConfigSpec, meshConfigDefaults, mergePatch } from '../../src/model/mesh-config.js';

t.test('defaults are FSM preset values', async (t) => {
  const d = meshConfigDefaults();
  t.equal(d.traffic.enablePermissiveTrafficPolicyMode, true);
  t.equal(d.traffic.enableEgress, true);
  t.equal(d.traffic.http2PerRequestLoadBalancing, true);
  t.equal(d.sidecar.logLevel, 'error');
  t.equal(d.sidecar.compressConfig, true);
  t.equal(d.sidecar.sidecarTimeout, 60);
  t.equal(d.sidecar.sidecarImage, 'flomesh/pipy:1.5.14');
  t.same(d.repoServer, { ipaddr: '127.0.0.1', port: 6060, codebase: '' });
  t.equal(d.certificate.serviceCertValidityDuration, '24h');
  t.equal(d.certificate.certKeyBitSize, 2048);
  t.same(d.warmup, { enable: false, duration: '90s', minWeight: 10, maxWeight: 100, aggression: 1 });
  t.equal(d.featureFlags.enableSidecarPrettyConfig, true);
  t.equal(d.featureFlags.enableRetryPolicy, false);
  t.same(
    d.pluginChains['outbound-http'].map((p) => `${p.plugin}:${p.priority}`),
    ['outbound-http-routing:160', 'outbound-metrics-http:150', 'outbound-tracing-http:140', 'outbound-logging-http:130', 'outbound-circuit-breaker:120', 'outbound-http-load-balancing:110', 'outbound-http-default:100'],
  );
  t.same(d.pluginChains['inbound-tcp'].map((p) => p.priority), [130, 120, 110, 100]);
  t.equal(d.pluginChains['inbound-http'].length, 9);
  t.not(meshConfigDefaults(), meshConfigDefaults(), 'a fresh copy each time');
});

t.test('RFC 7386 merge patch', async (t) => {
  t.same(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  t.same(mergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
  t.same(mergePatch({ a: 'b' }, { a: null }), {});
  t.same(mergePatch({ a: 'b', b: 'c' }, { a: null }), { b: 'c' });
  t.same(mergePatch({ a: ['b'] }, { a: 'c' }), { a: 'c' });
  t.same(mergePatch({ a: 'c' }, { a: ['b'] }), { a: ['b'] });
  t.same(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } }), { a: { b: 'd' } });
  t.same(mergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  t.same(mergePatch(['a', 'b'], ['c', 'd']), ['c', 'd']);
  t.same(mergePatch({ a: 'b' }, ['c']), ['c']);
  t.same(mergePatch({ a: 'foo' }, null), null);
  t.same(mergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  t.same(mergePatch([1, 2], { a: 'b', c: null }), { a: 'b' });
  t.same(mergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
  const target = { a: { b: 1 } };
  mergePatch(target, { a: { b: 2 } });
  t.same(target, { a: { b: 1 } }, 'inputs are not modified');
});

t.test('effective spec: stored fields over defaults, null falls back to the default', async (t) => {
  const spec = effectiveMeshConfigSpec({ traffic: { enableEgress: false, outboundPortExclusionList: [6379] }, sidecar: { logLevel: null } });
  t.equal(spec.traffic.enableEgress, false);
  t.same(spec.traffic.outboundPortExclusionList, [6379]);
  t.equal(spec.traffic.enablePermissiveTrafficPolicyMode, true);
  t.equal(spec.sidecar.logLevel, 'error');
  t.same(effectiveMeshConfigSpec(undefined), meshConfigDefaults());
});

t.test('typed accessors', async (t) => {
  const view = createMeshConfigView(effectiveMeshConfigSpec({ certificate: { serviceCertValidityDuration: '1h30m' }, sidecar: { configResyncInterval: '90s' } }));
  t.equal(view.serviceCertValidityMs(), 5_400_000);
  t.equal(view.configResyncIntervalMs(), 90_000);
  t.equal(view.warmupDurationMs(), 90_000);
  t.equal(view.isPermissiveTrafficPolicyMode(), true);
  t.equal(view.isEgressEnabled(), true);
  t.equal(view.isFeatureEnabled('enableEgressPolicy'), true);
  t.equal(createMeshConfigView(meshConfigDefaults()).serviceCertValidityMs(), 86_400_000);
});

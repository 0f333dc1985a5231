/**
 * Golden tests for the Pipy sidecar config (tap snapshots under
 * tap-snapshots/test/generate/sidecar/). Each snapshot was read by hand against
 * the PipyConf schema in fsm-compat.md §2 (see the note on each test for
 * what was checked).
 */
import t from 'tap';
import { generateSidecarConfig } from '../../../src/generate/sidecar/index.js';
import type { MeshObject } from '../../../src/model/types.js';
import type { ModelView } from '../../../src/model/view.js';
import { fixture, meshConfig, storeOf, UUID } from './fixtures/helpers.js';

const ALL_HOSTS = { serviceAccessNames: { withTrustDomain: true, mustWithServicePort: false, mustWithNamespace: false } };

function generate(objects: ReturnType<typeof fixture>, uuid: string, deps = {}) {
  const store = storeOf(objects);
  const proxy = store.proxyByUuid(uuid);
  if (!proxy) throw new Error(`no proxy ${uuid}`);
  return generateSidecarConfig(store, proxy, deps);
}

t.test('permissive mode: every meshed service reachable, wildcard inbound route', (t) => {
  // Checked: Spec keys (§2.2), Probes rewritten to 15901/15904 with Original-* headers,
  // inbound match keyed by service port with Port=targetPort, local cluster 127.0.0.1:<targetPort>,
  // all ten host forms, outbound list per port with DestinationIPRanges /32 of cluster IPs,
  // endpoint IPs for the headless mysql, tcp-server-first → tcp, AllowedEndpoints = every meshed pod.
  const objects = [...fixture('mesh.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true, ...ALL_HOSTS } })];
  const out = generate(objects, UUID.bookbuyer);
  const cfg = out.config;
  t.equal(cfg.Spec.ServiceIdentity, 'bookbuyer.bookbuyer');
  t.same(Object.keys(cfg.AllowedEndpoints).sort(), ['10.244.1.10', '10.244.2.10', '10.244.2.20', '10.244.3.10', '10.244.4.10']);
  const mysql = cfg.Outbound?.TrafficMatches['3306']?.[0];
  t.equal(mysql?.Protocol, 'tcp');
  t.same(Object.keys(mysql?.DestinationIPRanges ?? {}), ['10.244.4.10/32']);
  const hosts = Object.keys(cfg.Inbound?.TrafficMatches['14001']?.HttpHostPort2Service ?? {});
  t.ok(hosts.includes('bookbuyer.bookbuyer.svc.cluster.local:14001'));
  t.equal(hosts.length, 10);
  t.equal(out.problems.length, 0);
  t.matchSnapshot(JSON.parse(out.json), 'bookbuyer permissive');
  t.end();
});

t.test('SMI mode: deny by default, TrafficTarget routes, split, TCP route', (t) => {
  // Checked: bookstore inbound RouteRules carry Path/Type/Headers/Methods, TargetClusters to the
  // |local cluster, AllowedServices ["bookbuyer.bookbuyer"], AllowedEndpoints of bookbuyer's pod;
  // the split apex's hosts map to a rule set routing to the backend's local cluster; bookbuyer's
  // outbound has bookstore split 75/25 and no bookwarehouse; mysql admits only bookwarehouse's pod.
  const objects = [...fixture('mesh.yaml'), ...fixture('smi.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false, ...ALL_HOSTS } })];
  const buyer = generate(objects, UUID.bookbuyer).config;
  const store = generate(objects, UUID.bookstoreV1).config;
  const mysql = generate(objects, UUID.mysql).config;
  t.same(Object.keys(buyer.AllowedEndpoints), [], 'nobody may call bookbuyer');
  t.same(buyer.Inbound?.TrafficMatches['14001']?.HttpServiceRouteRules?.['bookbuyer.bookbuyer']?.RouteRules, []);
  const split = buyer.Outbound?.TrafficMatches['14001']?.[0]?.HttpServiceRouteRules?.['bookstore.bookstore']?.RouteRules[0]?.TargetClusters;
  t.same(split, { 'bookstore/bookstore-v1|14001': 75, 'bookstore/bookstore-v2|14001': 25 });
  t.notOk(JSON.stringify(buyer.Outbound).includes('bookwarehouse'), 'bookbuyer cannot reach bookwarehouse');
  const rules = store.Inbound?.TrafficMatches['14001']?.HttpServiceRouteRules?.['bookstore-v1.bookstore'];
  t.same(rules?.RouteRules.map((r) => r.Path), ['/books.*', '/buy']);
  t.same(rules?.RouteRules[1]?.Methods, ['GET', 'POST']);
  t.same(rules?.AllowedEndpoints, { '10.244.1.10': 'bookbuyer.bookbuyer' });
  t.same(store.AllowedEndpoints, { '10.244.1.10': 'bookbuyer.bookbuyer-1' });
  t.ok(store.Inbound?.TrafficMatches['14001']?.HttpServiceRouteRules?.['bookstore.bookstore'], 'apex rule set present');
  t.same(mysql.Inbound?.TrafficMatches['3306']?.TcpServiceRouteRules?.TargetClusters, { 'bookwarehouse/mysql|3306|local': 100 });
  t.same(mysql.AllowedEndpoints, { '10.244.3.10': 'bookwarehouse.bookwarehouse-1' });
  t.matchSnapshot(store, 'bookstore-v1 SMI');
  t.matchSnapshot(generate(objects, UUID.bookwarehouse).config, 'bookwarehouse SMI (named targetPort, mysql TCP outbound)');
  t.end();
});

t.test('policies: UpstreamTrafficSetting, Retry, Egress, IngressBackend, AccessControl, plugins', (t) => {
  // Checked: ConnectionSettings.tcp/http keys and seconds (0.5, 60, 30), RateLimit TCP/HTTP/per-route
  // with StatTimeWindow 60/1/3600 and default 429, RetryPolicy in seconds on bookbuyer's bookstore
  // clusters, egress matches egress-http.80 (host rules), https (SNI cluster, FsmIssued SourceCert),
  // tcp 5432 with AllowedEgressTraffic; IngressBackend SourceIPRanges {mTLS, principals}; plugin
  // chain with plugins/token-verifier.js after priority 170, each service its own config.
  const objects = [
    ...fixture('mesh.yaml'), ...fixture('smi.yaml'), ...fixture('policies.yaml'),
    meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: true }, featureFlags: { enableRetryPolicy: true, enablePluginPolicy: true } }),
  ];
  const buyer = generate(objects, UUID.bookbuyer).config;
  const v1 = generate(objects, UUID.bookstoreV1).config;
  const v2 = generate(objects, UUID.bookstoreV2).config;
  const cluster = buyer.Outbound?.ClustersConfigs['bookstore/bookstore-v1|14001'];
  t.same(cluster?.RetryPolicy, { RetryOn: '5xx', PerTryTimeout: 1.5, NumRetries: 5, RetryBackoffBaseInterval: 1 });
  t.same(cluster?.ConnectionSettings?.tcp, { MaxConnections: 100, ConnectTimeout: 0.5 });
  t.equal(cluster?.ConnectionSettings?.http?.CircuitBreaking?.StatTimeWindow, 60);
  const inV1 = v1.Inbound?.TrafficMatches['14001'];
  t.same(inV1?.RateLimit, { Local: { Connections: 100, StatTimeWindow: 60, Burst: 10 } });
  t.equal(inV1?.HttpServiceRouteRules?.['bookstore-v1.bookstore']?.RateLimit?.Local?.ResponseStatusCode, 429);
  t.same(inV1?.SourceIPRanges?.['10.0.0.5/32'], { mTLS: true, SkipClientCertValidation: false, AuthenticatedPrincipals: ['ingress.fsm-system.cluster.local'] });
  t.equal(v1.AllowedEndpoints['10.0.0.5'], 'Ingress/Accessor');
  t.same(inV1?.HttpServiceRouteRules?.['bookstore-v1.bookstore']?.Plugins, { 'token-verifier': { header: 'x-token-v1' } });
  t.same(v2.Inbound?.TrafficMatches['14001']?.HttpServiceRouteRules?.['bookstore-v2.bookstore']?.Plugins, { 'token-verifier': { header: 'x-token-v2' } }, 'per-service plugin config');
  t.ok(v1.Chains?.['inbound-http']?.includes('plugins/token-verifier.js'));
  t.notOk(buyer.Chains?.['inbound-http']?.includes('plugins/token-verifier.js'), 'selector excludes bookbuyer');
  t.same(buyer.Outbound?.TrafficMatches['5432']?.[0]?.TcpServiceRouteRules, { TargetClusters: {}, AllowedEgressTraffic: true });
  t.equal(buyer.Outbound?.ClustersConfigs['443']?.Endpoints['api.example.com:443']?.Weight, 100);
  t.matchSnapshot(buyer, 'bookbuyer with retry and egress');
  t.matchSnapshot(v1, 'bookstore-v1 with upstream traffic setting, ingress backend, plugin');
  t.matchSnapshot(generate(objects, UUID.mysql).config.Inbound, 'mysql inbound with AccessControl');
  t.end();
});

t.test('retry is gated by featureFlags.enableRetryPolicy', (t) => {
  const objects = [...fixture('mesh.yaml'), ...fixture('policies.yaml'), meshConfig({ featureFlags: { enableRetryPolicy: false } })];
  const cfg = generate(objects, UUID.bookbuyer).config;
  t.notOk(JSON.stringify(cfg).includes('RetryPolicy'));
  t.end();
});

t.test('certificate block and Ts; Version excludes Ts', (t) => {
  const objects = [...fixture('mesh.yaml'), meshConfig({})];
  const certificate = {
    commonName: 'bookbuyer.bookbuyer.cluster.local',
    notAfter: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
    certChainPem: 'CHAIN', privateKeyPem: 'KEY', issuingCaPem: 'CA',
  };
  const a = generate(objects, UUID.bookbuyer, { certificate, now: new Date(Date.UTC(2026, 0, 1)) });
  const b = generate(objects, UUID.bookbuyer, { certificate, now: new Date(Date.UTC(2027, 0, 1)) });
  t.same(a.config.Certificate, { CommonName: 'bookbuyer.bookbuyer.cluster.local', Expiration: '2030-01-02 03:04:05', CertChain: 'CHAIN', PrivateKey: 'KEY', IssuingCA: 'CA' });
  t.equal(a.config.Ts, '2026-01-01T00:00:00.000Z');
  t.equal(a.version, b.version);
  t.equal(a.config.Version, a.version);
  const noMtls = generate([...fixture('mesh.yaml'), meshConfig({ sidecar: { sidecarDisabledMTLS: true } })], UUID.bookbuyer, { certificate });
  t.equal(noMtls.config.Certificate, null);
  t.not(noMtls.version, a.version);
  t.end();
});

t.test('invalid policies are reported with FSM codes; the rest still generates', (t) => {
  const bad = [
    { apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name: 'missing-group', namespace: 'bookstore' },
      spec: { destination: { kind: 'ServiceAccount', name: 'bookstore', namespace: 'bookstore' }, sources: [{ kind: 'ServiceAccount', name: 'bookwarehouse', namespace: 'bookwarehouse' }], rules: [{ kind: 'HTTPRouteGroup', name: 'nope' }] } },
    { apiVersion: 'split.smi-spec.io/v1alpha4', kind: 'TrafficSplit', metadata: { name: 'zz-second-split', namespace: 'bookstore' },
      spec: { service: 'bookstore', backends: [{ service: 'bookstore-v2', weight: 100 }] } },
  ];
  const objects = [...fixture('mesh.yaml'), ...fixture('smi.yaml'), ...bad, meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } })];
  const store = generate(objects, UUID.bookstoreV1);
  t.ok(store.problems.some((p) => p.code === 'E2005' && p.object === 'TrafficTarget bookstore/missing-group'), 'missing HTTPRouteGroup E2005');
  t.same(store.config.AllowedEndpoints, { '10.244.1.10': 'bookbuyer.bookbuyer-1' }, 'valid target still applies');
  const model = storeOf(objects);
  const buyer = generate(objects, UUID.bookbuyer);
  // The model's cross-checks may already flag the conflict; either way it is reported with E2007.
  const codes = [...buyer.problems.map((p) => p.code), ...model.errors().map((e) => e.code)];
  t.ok(codes.includes('E2007'), 'second split for one apex E2007');
  t.same(buyer.config.Outbound?.TrafficMatches['14001']?.[0]?.HttpServiceRouteRules?.['bookstore.bookstore']?.RouteRules[0]?.TargetClusters,
    { 'bookstore/bookstore-v1|14001': 75, 'bookstore/bookstore-v2|14001': 25 }, 'first split by name wins');
  t.end();
});

t.test('TrafficTarget kinds: destination E2010, source E2011 (FSM pkg/errcode); the target is skipped', (t) => {
  // The model refuses such targets when it validates them; a view that hands one over anyway (another
  // source of policy) must still get FSM's codes from the generator, and the rest of the config.
  const objects = [...fixture('mesh.yaml'), ...fixture('smi.yaml'), meshConfig({ traffic: { enablePermissiveTrafficPolicyMode: false } })];
  const store = storeOf(objects);
  const target = (name: string, dst: string, src: string): MeshObject => ({
    apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name, namespace: 'bookstore' },
    spec: { destination: { kind: dst, name: 'bookstore', namespace: 'bookstore' }, sources: [{ kind: src, name: 'bookwarehouse', namespace: 'bookwarehouse' }], rules: [{ kind: 'HTTPRouteGroup', name: 'bookstore-routes' }] },
  });
  const extra = [target('bad-destination', 'Group', 'ServiceAccount'), target('bad-source', 'ServiceAccount', 'Group')];
  const view: ModelView = Object.create(store, {
    list: { value: (kind: string, ns?: string) => (kind === 'TrafficTarget' && (ns === undefined || ns === 'bookstore') ? [...store.list(kind, ns), ...extra] : store.list(kind, ns)) },
  }) as ModelView;
  const proxy = store.proxyByUuid(UUID.bookstoreV1);
  if (!proxy) throw new Error('fixture proxy missing');
  const out = generateSidecarConfig(view, proxy);
  const codes = out.problems.map((p) => `${p.object}|${p.field}|${p.code}`).sort();
  t.same(codes, ['TrafficTarget bookstore/bad-destination|spec.destination.kind|E2010', 'TrafficTarget bookstore/bad-source|spec.sources[0].kind|E2011']);
  t.same(out.config.AllowedEndpoints, { '10.244.1.10': 'bookbuyer.bookbuyer-1' }, 'neither bad target admits bookwarehouse; the valid one still applies');
  t.end();
});

t.test('a shared batch cache reuses the document but still writes each call its own Ts', async (t) => {
  const { createGenCache } = await import('../../../src/generate/sidecar/context.js');
  const store = storeOf([...fixture('mesh.yaml'), meshConfig({})]);
  const proxy = store.proxyByUuid(UUID.bookbuyer);
  if (!proxy) throw new Error('fixture proxy missing');
  const cache = createGenCache();
  const a = generateSidecarConfig(store, proxy, { cache, now: new Date(Date.UTC(2026, 0, 1)) });
  const b = generateSidecarConfig(store, proxy, { cache, now: new Date(Date.UTC(2026, 0, 2)) });
  const plain = generateSidecarConfig(store, proxy, { cache });
  t.equal(a.config.Ts, '2026-01-01T00:00:00.000Z');
  t.equal(b.config.Ts, '2026-01-02T00:00:00.000Z');
  t.equal(a.version, b.version);
  t.equal(plain.config.Ts, undefined);
  t.equal(plain.json, generateSidecarConfig(store, proxy).json, 'same bytes as without a cache');
  t.equal(a.json.replace(/,"Ts":"[^"]*"/, ''), plain.json, 'Ts is the only difference');
});

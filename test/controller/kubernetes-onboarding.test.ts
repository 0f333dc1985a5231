import t from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../src/certificate/manager.js';
import { createKubernetesOnboarding, injectorMeshSettings } from '../../src/controller/kubernetes-onboarding.js';
import type { ServingTls, ServingTlsMaterial } from '../../src/controller/serving-tls.js';
import { createKubeClient, type KubeClient } from '../../src/kubernetes/kube-client.js';
import { createModelStore } from '../../src/model/store.js';
import type { ModelView } from '../../src/model/view.js';
import { meshConfigDefaults } from '../../src/model/mesh-config.js';
import { createKubeApiStandIn } from '../stand-ins/kube-api-server.js';
import { waitFor } from '../support/wait-for.js';
import { createTestPki } from '../server/pipy-repo/fixtures/test-pki.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A ServingTls whose trust bundle the test changes. */
async function servingTls(ca: string) {
  const { server } = await createTestPki();
  let material: ServingTlsMaterial = { key: server.key, cert: server.cert, ca, serialNumber: '1', notAfter: new Date() };
  const listeners = new Set<(m: ServingTlsMaterial) => void>();
  const tls: ServingTls = {
    current: () => material,
    onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
    validityKnown: async () => undefined,
    close: () => listeners.clear(),
  };
  return { tls, rotate(next: string) {
    material = { ...material, ca: next };
    for (const l of listeners) l(material);
  } };
}

const injector = { listen: '127.0.0.1:0', webhookConfigName: 'fsm-controller-webhook-fsm', servicePort: 9090, timeoutSeconds: 20, initImage: 'i', healthcheckImage: 'h', pullPolicy: 'IfNotPresent', bootstrapGraceMs: 60_000 };

/** What every onboarding of these tests shares: mesh fsm, TLS on, a short Lease held by `identity`. */
const onboardingOptions = (client: KubeClient, view: ModelView, identity: string) => ({
  client,
  view,
  meshName: 'fsm',
  fsmNamespace: 'fsm-system',
  trustDomain: 'cluster.local',
  version: '0.1.0',
  service: 'fsm-controller',
  tls: true,
  leaderElection: { identity, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 },
});

t.test("the MeshConfig the injector reads comes from the typed spec (FSM's preset)", async (t) => {
  const m = injectorMeshSettings(meshConfigDefaults());
  t.match(m, { sidecarImage: 'flomesh/pipy:1.5.14', sidecarLogLevel: 'error', holdApplicationUntilProxyStarts: true, localProxyMode: 'Localhost', interceptionMode: 'PodLevel', repoServer: { ipaddr: '127.0.0.1', port: 6060, codebase: '' } });
  t.same(m.exclusions.outboundPortExclusionList, []);
});

t.test('only the leader writes the webhook configuration; a new trust bundle reaches it at once', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const store = createModelStore();
  const manager = createCertificateManager({ issuer: caFromRoot(await generateRoot()) });
  t.teardown(() => manager.close());
  const serving = await servingTls('ROOT-1');
  const replicas = ['a', 'b'].map((name) => {
    const onboarding = createKubernetesOnboarding({
      ...onboardingOptions(createKubeClient({ kubeConfig: api.kubeConfig({ token: name }) }), store, name),
      injector,
      maintenanceIntervalMs: 60_000,
    });
    t.teardown(() => onboarding.close());
    return { name, onboarding };
  });
  for (const r of replicas) t.type(await r.onboarding.start({ certificates: manager, servingTls: serving.tls }), 'number', `${r.name} serves admissions`);
  await waitFor('a leader', () => replicas.some((r) => r.onboarding.isLeader()));
  const mwc = () => api.get('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', undefined, 'fsm-controller-webhook-fsm') as Json | undefined;
  await waitFor('created', () => mwc() !== undefined);
  const leader = replicas.find((r) => r.onboarding.isLeader());
  const writers = new Set(api.requests.filter((r) => r.method !== 'GET' && r.path.includes('mutatingwebhookconfigurations')).map((r) => r.authorization));
  t.same([...writers], [`Bearer ${leader?.name}`], 'written by the leader only');
  serving.rotate('ROOT-1\nROOT-2');
  await waitFor('the new bundle reached the caBundle (not waiting for the 60 s maintenance period)', () => Buffer.from(mwc()?.['webhooks'][0]['clientConfig']['caBundle'] ?? '', 'base64').toString() === 'ROOT-1\nROOT-2');
});

t.test('leader-only work registered with onLeading runs under the Lease, at once when registered while leading', async (t) => {
  const api = createKubeApiStandIn();
  await api.start();
  t.teardown(() => api.close());
  const manager = createCertificateManager({ issuer: caFromRoot(await generateRoot()) });
  t.teardown(() => manager.close());
  const errors: string[] = [];
  const onboarding = createKubernetesOnboarding({
    ...onboardingOptions(createKubeClient({ kubeConfig: api.kubeConfig() }), createModelStore(), 'solo'),
    injector: undefined,
    logger: { debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) },
  });
  t.teardown(() => onboarding.close());
  const early: AbortSignal[] = [];
  onboarding.onLeading((s) => early.push(s));
  onboarding.onLeading(() => {
    throw new Error('boom');
  });
  await onboarding.start({ certificates: manager, servingTls: undefined });
  await waitFor('leading', () => onboarding.isLeader());
  t.equal(early.length, 1, 'registered before start: called when leadership began');
  const late: AbortSignal[] = [];
  onboarding.onLeading((s) => late.push(s));
  t.equal(late[0], early[0], 'registered while leading: called at once with the current leadership');
  const off = onboarding.onLeading(() => {
    throw new Error('boom again');
  });
  off();
  t.same(errors, ['leader election listener threw', 'leader-only work threw'], 'a throwing work is logged, and the others still run');
  await onboarding.close();
  t.ok(early[0]?.aborted, 'closing ends the leadership: the work must stop');
});

import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { bookstorePod, injectorFixture, monitored, patched, patchOps, podReview } from './fixtures/injector-fixture.js';
import { parseAdmissionReview } from '../../src/injector/admission-review.js';
import { iptablesCommand } from '../../src/injector/iptables.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

t.test("FSM's webhook benchmark fixture (an exec CONNECT on a pod) is allowed untouched", async (t) => {
  const f = await injectorFixture(t);
  // The review of FSM's BenchmarkPodCreationHandler, in the API server's words.
  const review = parseAdmissionReview(
    JSON.stringify({
      kind: 'AdmissionReview',
      apiVersion: 'admission.k8s.io/v1',
      request: {
        uid: '11111111-2222-3333-4444-555555555555',
        kind: { group: '', version: 'v1', kind: 'PodExecOptions' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        subResource: 'exec',
        name: 'some-pod-1111111111-22222',
        namespace: 'default',
        operation: 'CONNECT',
        userInfo: { username: 'user', groups: [] },
        object: { kind: 'PodExecOptions', apiVersion: 'v1', stdin: true, stdout: true, tty: true, container: 'some-pod', command: ['bin/bash'] },
        oldObject: null,
        dryRun: false,
        options: null,
      },
    }),
  );
  const { out } = await f.injector.review(review);
  t.same(out, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '11111111-2222-3333-4444-555555555555', allowed: true } });
});

t.test('a Deployment pod in an injected namespace: the patch, the bootstrap Secret, its pending record', async (t) => {
  const f = await injectorFixture(t);
  const pod = bookstorePod();
  const { out, outcome } = await f.injector.review(podReview('bookstore', pod));
  t.equal(outcome.injected, true);
  t.equal(out.response.allowed, true);
  t.equal(out.response.patchType, 'JSONPatch');
  const uuid = f.uuids[0] ?? '';
  const cn = `${uuid}.sidecar.bookstore.bookstore`;
  t.same(patchOps(out).map((o) => `${o.op} ${o.path}`), [
    'add /metadata/labels/fsm-proxy-uuid',
    'add /spec/volumes',
    'add /spec/initContainers',
    'add /spec/containers/0',
  ]);
  const after = patched(pod, out) as Json;
  t.equal(after.metadata.labels['fsm-proxy-uuid'], uuid, 'the uuid label');
  t.same(after.metadata.labels.app, 'bookstore', 'existing labels kept');
  t.same(after.spec.volumes, [{ name: 'sidecar-bootstrap-config-volume', secret: { secretName: `sidecar-bootstrap-config-${uuid}` } }]);
  t.same(after.spec.initContainers.map((c: Json) => c.name), ['fsm-init']);
  t.equal(after.spec.initContainers[0].args[1], iptablesCommand({ outboundPorts: [], inboundPorts: [], outboundIPRangeExclusions: [], outboundIPRangeInclusions: [], networkInterfaces: [] }));
  t.same(after.spec.containers.map((c: Json) => c.name), ['sidecar', 'bookstore'], 'holdApplicationUntilProxyStarts (FSM default): the sidecar first');
  const sidecar = after.spec.containers[0];
  t.equal(sidecar.args.at(-1), `https://fsm-controller.fsm-system:6060/repo/fsm-sidecar/${cn}/`);
  t.same(sidecar.env.find((e: Json) => e.name === 'POD_CONTROLLER_KIND').value, 'Deployment');
  t.same(sidecar.env.find((e: Json) => e.name === 'POD_CONTROLLER_NAME').value, 'bookstore-v1');
  t.same(sidecar.lifecycle.postStart.exec.command, ['/usr/local/bin/wait-pipy']);

  const secret = f.api.get('v1', 'Secret', 'bookstore', `sidecar-bootstrap-config-${uuid}`) as Json;
  t.ok(secret, 'the bootstrap Secret exists');
  t.same(Object.keys(secret.data).sort(), ['bootstrap.yaml', 'cacert.pem', 'repo_cert.pem', 'repo_key.pem']);
  t.same(secret.metadata.labels, { 'app.kubernetes.io/name': 'flomesh.io', 'app.kubernetes.io/instance': 'fsm', 'app.kubernetes.io/version': '0.1.0', 'fsm-proxy-uuid': uuid });
  const cert = new X509Certificate(Buffer.from(secret.data['repo_cert.pem'], 'base64').toString());
  t.match(cert.subject, `CN=${cn}.cluster.local`, 'the bootstrap certificate names the uuid, service account, namespace and trust domain');
  t.ok(cert.checkIssued(new X509Certificate(f.manager.trustBundlePem())), 'issued by the mesh CA');
  const bootstrap = JSON.parse(Buffer.from(secret.data['bootstrap.yaml'], 'base64').toString());
  t.match(bootstrap, { RepoHost: 'fsm-controller.fsm-system', RepoPort: 6060, NodeID: `${cn}.cluster.local` });
  t.ok(f.api.get('v1', 'ConfigMap', 'fsm-system', `fsm-bootstrap-${uuid}`), 'the pending record, for the collector');
});

t.test('who is injected: FSM rules for namespaces, pods and the host network', async (t) => {
  const f = await injectorFixture(t);
  f.namespaces.set('plain', { name: 'plain' });
  f.namespaces.set('opt-in', monitored('opt-in', {}));
  f.namespaces.set('ignored', { name: 'ignored', labels: { 'flomesh.io/monitored-by': 'fsm', 'flomesh.io/ignore': 'true' }, annotations: { 'flomesh.io/sidecar-injection': 'enabled' } });
  f.namespaces.set('fsm-system', monitored('fsm-system'));
  f.namespaces.set('other-mesh', { name: 'other-mesh', labels: { 'flomesh.io/monitored-by': 'osm' }, annotations: { 'flomesh.io/sidecar-injection': 'enabled' } });
  const annotated = (value: string) => bookstorePod({ metadata: { generateName: 'p-', annotations: { 'flomesh.io/sidecar-injection': value } } });
  const cases: [string, Record<string, unknown>, boolean, string][] = [
    ['bookstore', bookstorePod(), true, 'namespace enabled'],
    ['bookstore', annotated('disabled'), false, 'pod disabled in an enabled namespace'],
    ['bookstore', annotated('No'), false, 'no (any case)'],
    ['opt-in', bookstorePod(), false, 'monitored, not enabled'],
    ['opt-in', annotated('yes'), true, 'pod enabled in a monitored namespace'],
    ['plain', annotated('enabled'), false, 'not monitored'],
    ['ignored', bookstorePod(), false, 'ignored'],
    ['fsm-system', bookstorePod(), false, 'the control-plane namespace'],
    ['kube-system', annotated('enabled'), false, 'kube-system'],
    ['other-mesh', bookstorePod(), false, 'monitored by another mesh'],
    ['missing', annotated('enabled'), false, 'a namespace the controller has not seen'],
    ['bookstore', bookstorePod({ spec: { hostNetwork: true, containers: [] } }), false, 'host network'],
  ];
  for (const [ns, pod, expected, what] of cases) {
    const { out, outcome } = await f.injector.review(podReview(ns, pod));
    t.equal(outcome.injected, expected, what);
    t.equal(out.response.patch !== undefined, expected, `${what}: ${expected ? 'a patch' : 'no patch'}`);
    t.equal(out.response.allowed, true);
  }
  const bad = await f.injector.review(podReview('bookstore', annotated('maybe')));
  t.equal(bad.out.response.allowed, false, 'a malformed annotation refuses the pod');
  t.match(bad.out.response.status?.message, /^E6108: Pod bookstore\/p-\*: annotation flomesh.io\/sidecar-injection: "maybe" is not enabled or disabled/);
  f.namespaces.set('typo', monitored('typo', { 'flomesh.io/sidecar-injection': 'on' }));
  t.match((await f.injector.review(podReview('typo', bookstorePod()))).out.response.status?.message, /^E6109: Namespace typo/);
});

t.test('a dry run gets the patch and nothing else', async (t) => {
  const f = await injectorFixture(t);
  const { out, outcome } = await f.injector.review(podReview('bookstore', bookstorePod(), { dryRun: true }));
  t.ok(outcome.dryRun && outcome.injected);
  t.ok(out.response.patch);
  t.equal(f.manager.issuedCount, 0, 'no certificate');
  t.same(f.api.list('v1', 'Secret'), [], 'no Secret');
  t.same(f.api.list('v1', 'ConfigMap'), [], 'no record');
});

t.test('a copy of an injected pod gets a new uuid, not a second sidecar', async (t) => {
  const f = await injectorFixture(t);
  const first = patched(bookstorePod(), (await f.injector.review(podReview('bookstore', bookstorePod()))).out) as Json;
  const { out } = await f.injector.review(podReview('bookstore', first));
  const copy = patched(first, out) as Json;
  const [oldUuid, newUuid] = f.uuids;
  t.not(newUuid, oldUuid);
  t.equal(copy.metadata.labels['fsm-proxy-uuid'], newUuid);
  t.same(copy.spec.containers.map((c: Json) => c.name), ['sidecar', 'bookstore'], 'no second sidecar');
  t.same(copy.spec.initContainers.map((c: Json) => c.name), ['fsm-init']);
  t.equal(copy.spec.volumes[0].secret.secretName, `sidecar-bootstrap-config-${newUuid}`);
  t.match(copy.spec.containers[0].args.at(-1), new RegExp(`/repo/fsm-sidecar/${newUuid}\\.sidecar\\.bookstore\\.bookstore/$`), 'the codebase URL follows the new uuid');
  t.ok(f.api.get('v1', 'Secret', 'bookstore', `sidecar-bootstrap-config-${newUuid}`));
});

t.test('probes, metrics, exclusions and a pod-chosen image', async (t) => {
  const f = await injectorFixture(t);
  f.namespaces.set('bookstore', monitored('bookstore', { 'flomesh.io/sidecar-injection': 'enabled', 'flomesh.io/metrics': 'enabled' }));
  f.mesh = { ...f.mesh, holdApplicationUntilProxyStarts: false, exclusions: { ...f.mesh.exclusions, outboundPortExclusionList: [6379] } };
  const pod = bookstorePod({
    metadata: { name: 'probed', annotations: { 'flomesh.io/outbound-ip-range-exclusion-list': '10.96.0.0/12', 'flomesh.io/sidecar-image': 'example/pipy:dev' } },
    spec: {
      serviceAccountName: 'bookstore',
      containers: [{ name: 'app', image: 'a', ports: [{ name: 'web', containerPort: 14001 }], livenessProbe: { httpGet: { path: '/liveness', port: 'web' } }, readinessProbe: { tcpSocket: { port: 14001 } } }],
    },
  });
  const { out } = await f.injector.review(podReview('bookstore', pod));
  const after = patched(pod, out) as Json;
  t.same(after.metadata.annotations['prometheus.io/scrape'], 'true');
  t.same(after.metadata.annotations['prometheus.io/port'], '15010');
  t.same(after.metadata.annotations['prometheus.io/path'], '/stats/prometheus');
  const app = after.spec.containers[0];
  t.same(app.livenessProbe.httpGet, { path: '/fsm-healthcheck', port: 15901, httpHeaders: [{ name: 'Original-Http-Port', value: '14001' }, { name: 'Original-Http-Path', value: '/liveness' }] });
  t.same(app.readinessProbe.httpGet.port, 15904);
  t.same(after.spec.containers.map((c: Json) => c.name), ['app', 'fsm-healthcheck', 'sidecar'], 'the sidecar last without hold; fsm-healthcheck for the tcpSocket probe');
  const sidecar = after.spec.containers[2];
  t.equal(sidecar.image, 'example/pipy:dev');
  t.same(sidecar.ports.map((p: Json) => p.name), ['proxy-admin', 'proxy-inbound', 'proxy-metrics', 'liveness-port', 'readiness-port']);
  const script = after.spec.initContainers[0].args[1] as string;
  t.match(script, '-A FSM_PROXY_OUTBOUND -d 10.96.0.0/12 -j RETURN');
  t.match(script, '-A FSM_PROXY_OUTBOUND -p tcp --match multiport --dports 6379 -j RETURN');
  const secret = f.api.get('v1', 'Secret', 'bookstore', `sidecar-bootstrap-config-${f.uuids[0]}`) as Json;
  const bootstrap = JSON.parse(Buffer.from(secret.data['bootstrap.yaml'], 'base64').toString());
  t.same(bootstrap.OriginalHealthProbes.Liveness, { Path: '/liveness', Port: 14001, Timeout: 0, IsHTTP: true, IsTCPSocket: false }, 'the original probes are kept');

  const bad = await f.injector.review(podReview('bookstore', bookstorePod({ metadata: { name: 'bad', annotations: { 'flomesh.io/outbound-port-exclusion-list': '80,eighty' } } })));
  t.equal(bad.out.response.allowed, false);
  t.equal(bad.out.response.status?.code, 400);
  t.match(bad.out.response.status?.message, "Pod bookstore/bad: Invalid port value 'eighty' specified for annotation 'flomesh.io/outbound-port-exclusion-list'");
});

t.test('NodeLevel interception: the uuid label only; plain HTTP when TLS is off', async (t) => {
  const f = await injectorFixture(t, { tls: false });
  f.mesh = { ...f.mesh, interceptionMode: 'NodeLevel' };
  const { out } = await f.injector.review(podReview('bookstore', bookstorePod()));
  t.same(patchOps(out).map((o) => o.path), ['/metadata/labels/fsm-proxy-uuid']);
  t.equal(f.manager.issuedCount, 0);
  f.mesh = { ...f.mesh, interceptionMode: 'PodLevel' };
  const plain = patched(bookstorePod(), (await f.injector.review(podReview('bookstore', bookstorePod()))).out) as Json;
  t.match(plain.spec.containers[0].args, ['pipy', '--log-level=error', '--admin-port=6060', /^http:\/\/fsm-controller\.fsm-system:6060\/repo\/fsm-sidecar\//]);
});

t.test('the sidecar follows MeshConfig repoServer (FSM: a loopback address means the controller Service)', async (t) => {
  const f = await injectorFixture(t);
  f.mesh = { ...f.mesh, repoServer: { ipaddr: '10.0.0.9', port: 16060, codebase: '/team-a/' } };
  const after = patched(bookstorePod(), (await f.injector.review(podReview('bookstore', bookstorePod()))).out) as Json;
  t.match(after.spec.containers[0].args.at(-1), /^https:\/\/10\.0\.0\.9:16060\/repo\/team-a\/fsm-sidecar\/.+\/$/);
  t.ok(after.spec.containers[0].args.includes('--admin-port=16060'));
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import t, { type Test } from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { parseControllerOptions } from '../../src/controller/options.js';
import { renderChart } from './helm-template.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// charts/fsm-controller rendered with a renderer for the subset of Helm's template language it
// uses, every object checked against the Kubernetes OpenAPI schema of its kind (kubernetes-models'
// validators), the values against values.schema.json, and the controller's arguments against the
// controller's own flag parser.

const chartDir = fileURLToPath(new URL('../../charts/fsm-controller/', import.meta.url));
const templates = new Map<string, string>();
for (const f of await readdir(join(chartDir, 'templates'))) templates.set(f, await readFile(join(chartDir, 'templates', f), 'utf8'));
/** `.Files`: every file of the chart outside templates/, by its path in the chart. */
const files = new Map<string, string>();
for (const f of await readdir(chartDir, { recursive: true, withFileTypes: true })) {
  const path = join(f.parentPath, f.name).slice(chartDir.length);
  if (f.isFile() && !path.startsWith('templates/')) files.set(path, await readFile(join(chartDir, path), 'utf8'));
}
const defaults = parse(await readFile(join(chartDir, 'values.yaml'), 'utf8')) as Json;
const chart = parse(await readFile(join(chartDir, 'Chart.yaml'), 'utf8')) as Json;
const schema = JSON.parse(await readFile(join(chartDir, 'values.schema.json'), 'utf8')) as object;
const validateValues = new Ajv({ allErrors: true, strict: false }).compile(schema);

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? merge(base[k], v) : v;
  return out;
}

/** The objects `helm template` would produce, validated against the Kubernetes schemas of their kinds. */
async function render(t: Test, over: Json = {}, release = { Name: 'mesh', Namespace: 'fsm-ts' }): Promise<Json[]> {
  const values = merge(defaults, over);
  t.ok(validateValues(values), `values match values.schema.json ${JSON.stringify(validateValues.errors ?? [])}`);
  const out = renderChart(templates, { Values: values, Release: release, Chart: { Name: chart['name'], AppVersion: chart['appVersion'], Version: chart['version'] }, Files: files });
  const objects: Json[] = [];
  for (const [file, text] of out) {
    for (const doc of parseAllDocuments(text)) {
      t.same(doc.errors, [], `${file} is YAML`);
      const obj = doc.toJS() as Json | null;
      if (obj) objects.push(obj);
    }
  }
  for (const obj of objects) {
    const [group, version] = String(obj['apiVersion']).includes('/') ? String(obj['apiVersion']).split('/') : ['', obj['apiVersion']];
    const mod = (await import(`kubernetes-models/${group ? `${group}/` : ''}${version}/${obj['kind']}`)) as Record<string, new (o: unknown) => { validate(): void }>;
    const Model = mod[obj['kind']];
    if (!Model) throw new Error(`no schema for ${obj['apiVersion']} ${obj['kind']}`);
    t.doesNotThrow(() => new Model(obj).validate(), `${obj['kind']} ${obj['metadata']['name']} matches the ${obj['apiVersion']} OpenAPI schema`);
  }
  return objects;
}

const find = (objects: Json[], kind: string, name?: string) => objects.find((o) => o['kind'] === kind && (name === undefined || o['metadata']['name'] === name));

t.test('defaults: the injector, TLS, two replicas, a hardened pod', async (t) => {
  const objects = await render(t);
  t.same(objects.map((o) => o['kind']).sort(), ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'MutatingWebhookConfiguration', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
  const deploy = find(objects, 'Deployment') as Json;
  t.equal(deploy['spec']['replicas'], 2);
  const pod = deploy['spec']['template']['spec'];
  const c = pod['containers'][0];
  t.equal(c['image'], 'fsm-controller:0.1.0', 'the image the Dockerfile builds');
  t.match(pod['securityContext'], { runAsNonRoot: true, runAsUser: 65532 });
  t.match(c['securityContext'], { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  t.match(c, { readinessProbe: { httpGet: { path: '/health/ready' } }, livenessProbe: { httpGet: { path: '/health/alive' } }, startupProbe: {} });
  t.ok(pod['affinity']['podAntiAffinity'], 'replicas prefer different nodes');

  const opts = parseControllerOptions(c['args'], {});
  if (opts === 'help') throw new Error('help');
  t.equal(opts.fsmNamespace, 'fsm-ts');
  t.equal(opts.repoTls && opts.xdsTls, true, 'TLS on Kubernetes');
  const mwc = find(objects, 'MutatingWebhookConfiguration') as Json;
  t.equal(opts.kubernetes?.injector?.webhookConfigName, mwc['metadata']['name'], 'the controller keeps the caBundle of the configuration the chart ships');
  t.equal(mwc['metadata']['name'], 'mesh-webhook-fsm', "not FSM's own fsm-webhook-<mesh>");
  t.notOk(mwc['webhooks'][0]['clientConfig']['caBundle'], 'no caBundle in the chart (the leader fills it)');
  const svc = find(objects, 'Service') as Json;
  t.equal(mwc['webhooks'][0]['clientConfig']['service']['name'], svc['metadata']['name']);
  t.equal(svc['spec']['ports'].find((p: Json) => p['name'] === 'webhook')['port'], opts.kubernetes?.injector?.servicePort, 'the webhook Service port is the one the controller listens on');
  t.equal(svc['metadata']['name'], 'fsm-controller', 'sidecars reach fsm-controller.<namespace>');
});

t.test('RBAC: no cluster-wide Secret reads, no verb nothing uses', async (t) => {
  const objects = await render(t);
  const cluster = find(objects, 'ClusterRole') as Json;
  t.equal(cluster['metadata']['name'], 'mesh-fsm-ts-fsm-controller', 'release and namespace in cluster-scoped names');
  const rules = cluster['rules'] as Json[];
  const secretRules = rules.filter((r) => r['resources'].includes('secrets'));
  t.same(secretRules.map((r) => r['verbs']), [['create', 'patch', 'delete']], 'bootstrap Secrets: written by name, never read');
  t.notOk(rules.some((r) => r['verbs'].includes('*') || r['resources'].includes('*') && r['apiGroups'].includes('')), 'no wildcard verbs, no wildcard core resources');
  const mwcRule = rules.find((r) => r['resources'].includes('mutatingwebhookconfigurations')) as Json;
  t.same(mwcRule, { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: ['mesh-webhook-fsm'], verbs: ['get', 'update'] });
  const role = find(objects, 'Role') as Json;
  t.equal(role['metadata']['namespace'], 'fsm-ts');
  t.same(role['rules'].map((r: Json) => `${r['resources']}:${r['verbs']}`), ['secrets:get,list,watch,create,update,delete', 'leases:get,create,update', 'configmaps:list,create,delete']);
  t.notOk(JSON.stringify(objects).includes('certificaterequests'), 'no cert-manager grants: nothing uses them');
});

t.test('one replica, no injector, egress Secrets, plain HTTP, scheduling values', async (t) => {
  const objects = await render(t, {
    replicaCount: 1,
    injector: { enabled: false },
    egressSecrets: true,
    plainHttp: true,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'mesh', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
    podAnnotations: { team: 'mesh' },
    image: { repository: 'registry.example/fsm-controller', tag: 'dev' },
  });
  t.notOk(find(objects, 'PodDisruptionBudget'), 'no PDB for one replica');
  t.notOk(find(objects, 'MutatingWebhookConfiguration'));
  const deploy = find(objects, 'Deployment') as Json;
  const pod = deploy['spec']['template']['spec'];
  t.same(pod['nodeSelector'], { 'kubernetes.io/os': 'linux' });
  t.equal(pod['tolerations'][0]['key'], 'dedicated');
  t.ok(pod['affinity']['nodeAffinity']);
  t.equal(deploy['spec']['template']['metadata']['annotations']['team'], 'mesh');
  t.equal(pod['containers'][0]['image'], 'registry.example/fsm-controller:dev');
  const opts = parseControllerOptions(pod['containers'][0]['args'], {});
  if (opts === 'help') throw new Error('help');
  t.same(opts.sources.map((s) => s.text), ['kubernetes:secrets']);
  t.equal(opts.kubernetes?.injector, undefined);
  t.equal(opts.repoTls, false);
  const rules = (find(objects, 'ClusterRole') as Json)['rules'] as Json[];
  t.same(rules.filter((r) => r['resources'].includes('secrets')).map((r) => r['verbs']), [['list', 'watch']], 'egressSecrets: read, and no bootstrap writes without the injector');
  t.notOk((find(objects, 'Service') as Json)['spec']['ports'].some((p: Json) => p['name'] === 'webhook'));
});

t.test("grafana.dashboards.enabled: one ConfigMap with every dashboard, labelled for Grafana's sidecar", async (t) => {
  const dashboards = [...files.keys()].filter((f) => /^grafana\/[^/]+\.json$/.test(f)).sort();
  t.ok(dashboards.length >= 2, `the chart ships dashboards (${dashboards.join(', ')})`);
  let objects = await render(t, { grafana: { dashboards: { enabled: true } } });
  let cm = find(objects, 'ConfigMap') as Json;
  t.equal(cm['metadata']['name'], 'mesh-fsm-controller-dashboards');
  t.equal(cm['metadata']['namespace'], 'fsm-ts', "the release's namespace by default");
  t.match(cm['metadata']['labels'], { grafana_dashboard: '1', 'app.kubernetes.io/name': 'fsm-controller' }, "the grafana chart's default sidecar label");
  t.notOk(cm['metadata']['annotations']);
  t.same(Object.keys(cm['data']).sort(), dashboards.map((f) => f.slice('grafana/'.length)), 'every dashboard, keyed by file name');
  for (const f of dashboards) t.equal(cm['data'][f.slice('grafana/'.length)], files.get(f), `${f} verbatim`);

  objects = await render(t, { grafana: { dashboards: { enabled: true, label: 'example.com/dashboard', labelValue: 'fsm', namespace: 'monitoring', annotations: { grafana_folder: 'Service mesh' } } } });
  cm = find(objects, 'ConfigMap') as Json;
  t.equal(cm['metadata']['namespace'], 'monitoring', "where Grafana's sidecar looks");
  t.equal(cm['metadata']['labels']['example.com/dashboard'], 'fsm');
  t.notOk('grafana_dashboard' in cm['metadata']['labels']);
  t.same(cm['metadata']['annotations'], { grafana_folder: 'Service mesh' });
  t.notOk(find(await render(t), 'ConfigMap'), 'off by default');
});

t.test('RBAC with gatewayAPI: status subresources, gateway workloads, Secrets written by name only', async (t) => {
  const rulesOf = async (over: Json) => ((find(await render(t, over), 'ClusterRole') as Json)['rules'] as Json[]).map((r) => `${r['apiGroups']}:${r['resources']}:${r['verbs']}`);
  const off = await rulesOf({});
  t.ok(off.some((r) => r.startsWith('config.flomesh.io') && r.includes('gateway.networking.k8s.io,gateway.flomesh.io:*:list,watch')), 'the kinds the source watches are always listable (a Forbidden list would keep the source from syncing)');
  t.notOk(off.some((r) => r.includes('/status') || r.startsWith('apps:')), 'off by default: no status and no Deployment writes');
  const on = await rulesOf({ gatewayAPI: { enabled: true } });
  t.same(on.filter((r) => !off.includes(r)), [
    'gateway.networking.k8s.io:gatewayclasses/status,gateways/status,httproutes/status,grpcroutes/status,tlsroutes/status,tcproutes/status,udproutes/status:get,update',
    'gateway.flomesh.io:ratelimitpolicies/status,sessionstickypolicies/status,loadbalancerpolicies/status,circuitbreakingpolicies/status,accesscontrolpolicies/status,healthcheckpolicies/status,faultinjectionpolicies/status,upstreamtlspolicies/status,retrypolicies/status:get,update',
    'apps:deployments:list,create,update,delete',
    ':services:create,update,delete',
  ], 'exactly what the leader uses (no get or watch of Deployments; Secrets keep create, patch, delete)');
  t.same(on.filter((r) => r.includes('secrets')), [':secrets:create,patch,delete']);
  const noInjector = await rulesOf({ gatewayAPI: { enabled: true }, injector: { enabled: false } });
  t.same(noInjector.filter((r) => r.includes('secrets')), [':secrets:create,patch,delete'], 'the gateway certificate Secrets need the Secret writes without the injector');
  const plain = await rulesOf({ gatewayAPI: { enabled: true }, injector: { enabled: false }, plainHttp: true });
  t.same(plain.filter((r) => r.includes('secrets')), [], 'plain HTTP: no gateway certificates, no Secret writes');
});

t.test('values.schema.json refuses what the templates cannot use', async (t) => {
  for (const bad of [{ grafana: { dashboards: { enabled: true, label: 'has space' } } }, { grafana: { dashboards: { enabled: true, namespace: 'Bad_NS' } } }, { grafana: { dashboards: { enabled: 'yes' } } }, { grafana: { dashboards: { enabled: true, annotations: { folder: 1 } } } }, { meshName: 'Bad_Name' }, { replicaCount: 0 }, { injector: { enabled: true, timeoutSeconds: 40 } }, { ports: { xds: 70000 } }, { injector: { enabled: true, bootstrapSecretGC: 'soon' } }, { gatewayAPI: { enabled: 'yes' } }, { typo: true }]) {
    t.notOk(validateValues(merge(defaults, bad)), `refused: ${JSON.stringify(bad)}`);
  }
});

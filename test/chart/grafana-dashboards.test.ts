import { readdir, readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { createAdsClient } from '../../server/transport/ads-client.js';
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';
import { closingAdminLink } from '../support/closing-admin-link.js';
import { createPipyFetcher } from '../support/pipy-fetcher.js';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../support/prometheus-text.js';
import { waitFor } from '../support/wait-for.js';

// The chart's Grafana dashboards: each is a Grafana dashboard JSON model,
// every query is PromQL (Prometheus' own grammar, @prometheus-io/lezer-promql),
// and every metric and label a query reads is on the /metrics of a real
// controller serving the example mesh to a Pipy-like fetcher and an xDS client.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dashboardDir = fileURLToPath(new URL('../../charts/fsm-controller/grafana/', import.meta.url));
const dashboards = new Map<string, Json>();
for (const f of (await readdir(dashboardDir)).filter((f) => f.endsWith('.json')).sort()) dashboards.set(f, JSON.parse(await readFile(join(dashboardDir, f), 'utf8')) as Json);

/** The admin port's /metrics, read strictly. */
function scrapeMetrics(port: number): Promise<Map<string, MetricFamily>> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(parsePrometheusText(body)));
    }).on('error', reject);
  });
}

/** Grafana's interval variables, which stand where PromQL wants a duration. */
const INTERVALS = /\$__(rate_interval|interval|range)\b/g;
/** Labels Prometheus adds when it scrapes, not the controller. */
const TARGET_LABELS = new Set(['job', 'instance']);

interface Selector {
  readonly metric: string;
  readonly matchers: { label: string; op: string; value: string }[];
}

/** The selectors and grouping labels of a PromQL expression; throws where Prometheus' grammar finds an error. */
function analyse(expr: string): { selectors: Selector[]; grouping: string[] } {
  const text = expr.replace(INTERVALS, '5m');
  const tree = parser.parse(text);
  const selectors: Selector[] = [];
  const grouping: string[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) throw new Error(`PromQL syntax error at ${ref.from} in: ${expr}`);
      const node = ref.node;
      if (ref.name === 'VectorSelector') {
        const id = node.getChild('Identifier');
        const matchers = (node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []).map((m) => ({
          label: text.slice(m.getChild('LabelName')?.from, m.getChild('LabelName')?.to),
          op: text.slice(m.getChild('MatchOp')?.from, m.getChild('MatchOp')?.to),
          value: JSON.parse(text.slice(m.getChild('StringLiteral')?.from, m.getChild('StringLiteral')?.to)) as string,
        }));
        selectors.push({ metric: id ? text.slice(id.from, id.to) : '', matchers });
      }
      if (ref.name === 'GroupingLabels') for (const l of node.getChildren('LabelName')) grouping.push(text.slice(l.from, l.to));
    },
  });
  return { selectors, grouping };
}

/** Every query of a dashboard: panel targets, and the selector inside each variable's `label_values(...)`. */
function queries(d: Json): { where: string; expr: string; label?: string }[] {
  const out: { where: string; expr: string; label?: string }[] = [];
  for (const p of d['panels'] as Json[]) for (const target of p['targets'] ?? []) out.push({ where: `panel "${p['title']}" ${target['refId']}`, expr: target['expr'] });
  for (const v of d['templating']['list'] as Json[]) {
    if (v['type'] !== 'query') continue;
    const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(v['query']['query']);
    if (!m) throw new Error(`variable ${v['name']}: not a label_values() query`);
    out.push({ where: `variable $${v['name']}`, expr: m[1] as string, label: m[2] as string });
  }
  return out;
}

t.test('every dashboard is a Grafana dashboard JSON model', async (t) => {
  t.ok(dashboards.size >= 2, [...dashboards.keys()].join(', '));
  const uids = new Set<string>();
  for (const [file, d] of dashboards) {
    t.test(file, async (t) => {
      t.type(d['title'], 'string');
      t.match(d['uid'], /^[a-zA-Z0-9_-]{1,40}$/, 'a uid Grafana accepts');
      t.notOk(uids.has(d['uid']), 'uids differ between dashboards');
      uids.add(d['uid']);
      t.ok(Number.isInteger(d['schemaVersion']) && d['schemaVersion'] >= 36, `schemaVersion ${d['schemaVersion']}`);
      t.equal(d['id'], null, 'no database id: provisioned dashboards get their own');
      t.match(d['time'], { from: String, to: String });
      const vars = new Map((d['templating']['list'] as Json[]).map((v) => [v['name'] as string, v]));
      t.match(vars.get('datasource'), { type: 'datasource', query: 'prometheus' }, 'the data source is a variable, not a fixed uid');
      for (const name of ['job', 'instance']) t.match(vars.get(name), { type: 'query', datasource: { type: 'prometheus', uid: '${datasource}' }, query: { query: /^label_values\(/ } });

      const ids = new Set<number>();
      const cells = new Set<string>();
      for (const p of d['panels'] as Json[]) {
        const where = `panel ${p['id']} "${p['title']}"`;
        t.ok(Number.isInteger(p['id']) && !ids.has(p['id']), `${where}: a unique id`);
        ids.add(p['id']);
        t.ok(['row', 'timeseries', 'stat', 'table'].includes(p['type']), `${where}: a core panel type (${p['type']})`);
        const { h, w, x, y } = p['gridPos'] as Record<string, number>;
        t.ok([h, w, x, y].every((n) => Number.isInteger(n) && (n as number) >= 0) && (w as number) >= 1 && (h as number) >= 1 && (x as number) + (w as number) <= 24, `${where}: inside the 24-column grid`);
        for (let i = x as number; i < (x as number) + (w as number); i++) {
          for (let j = y as number; j < (y as number) + (h as number); j++) {
            if (cells.has(`${i},${j}`)) t.fail(`${where} overlaps another panel at ${i},${j}`);
            cells.add(`${i},${j}`);
          }
        }
        if (p['type'] === 'row') continue;
        t.same(p['datasource'], { type: 'prometheus', uid: '${datasource}' }, `${where}: the data source variable`);
        const targets = p['targets'] as Json[];
        t.ok(targets.length > 0, `${where}: queries`);
        t.equal(new Set(targets.map((q) => q['refId'])).size, targets.length, `${where}: refIds unique`);
        for (const q of targets) {
          t.same(q['datasource'], p['datasource']);
          for (const v of String(q['expr']).replace(/"(?:[^"\\]|\\.)*"/g, '').match(/\$\w+/g) ?? []) {
            t.ok(/^\$__(rate_interval|interval|range)$/.test(v), `${where}: ${v} outside a string is one of Grafana's intervals`);
          }
          for (const v of String(q['expr']).match(/\$\w+/g) ?? []) if (!v.startsWith('$__')) t.ok(vars.has(v.slice(1)), `${where}: ${v} is a variable of the dashboard`);
        }
      }
      for (const { where, expr } of queries(d)) {
        const { selectors } = analyse(expr);
        t.ok(selectors.length > 0, `${where}: reads a metric`);
        for (const s of selectors) {
          t.ok(s.metric, `${where}: every selector names its metric`);
          if (where.startsWith('panel')) {
            t.ok(s.matchers.some((m) => m.label === 'job' && m.op === '=~' && m.value === '$job') && s.matchers.some((m) => m.label === 'instance' && m.op === '=~' && m.value === '$instance'), `${where}: ${s.metric} follows $job and $instance`);
          }
        }
      }
    });
  }
});

// A TrafficTarget whose HTTPRouteGroup does not exist: E2005, so errors are counted by code.
const BROKEN_TARGET = `apiVersion: access.smi-spec.io/v1alpha3
kind: TrafficTarget
metadata:
  name: broken-target
  namespace: bookstore
spec:
  destination: { kind: ServiceAccount, name: bookstore, namespace: bookstore }
  rules:
    - { kind: HTTPRouteGroup, name: no-such-routes, matches: [all] }
  sources:
    - { kind: ServiceAccount, name: bookbuyer, namespace: bookbuyer }
`;
const BOOKBUYER = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';

t.test('every metric and label the dashboards query is on the /metrics of a controller serving the example mesh', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-dashboards');
  await writeFile(join(dir, '90-broken-target.yaml'), BROKEN_TARGET);
  const o = parseControllerOptions(
    ['--source', `file:${dir}`, '--state-dir', stateDir, '--quiet-ms', '20', '--max-delay-ms', '100', '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  const ports = await controller.start();
  await waitFor('ready', () => controller.isReady());
  const scrape = () => scrapeMetrics(ports.admin);
  const proxy = controller.store.proxyByUuid(BOOKBUYER);
  if (!proxy) throw new Error('bookbuyer missing from the example');

  // What a mesh does: a Pipy sidecar fetches its codebase and keeps an admin link, an xDS client
  // subscribes, a sidecar whose link is closing misses a reload, and a TrafficSplit is edited.
  const fetcher = createPipyFetcher({ url: `http://127.0.0.1:${ports.repo}/repo/fsm-sidecar/${proxy.cnPrefix}/`, intervalMs: 200 });
  t.teardown(() => fetcher.close());
  await fetcher.start();
  await waitFor('the admin link', () => fetcher.linked);
  const xds = createAdsClient({ address: `127.0.0.1:${ports.xds}`, node: { id: proxy.cnPrefix, cluster: 'bookbuyer' } });
  t.teardown(() => xds.close());
  xds.subscribe(TypeUrl.PipySidecarConfig, [proxy.cnPrefix]);
  xds.ack(await xds.next({ timeoutMs: 10_000 }));
  await closingAdminLink(t, ports.repo, `/repo/fsm-sidecar/${proxy.cnPrefix}/instance-closing`);
  await waitFor('both links counted', async () => sampleValue(await scrape(), 'fsm_proxy_connect_count', { transport: 'repo' }) === 2);
  const split = join(dir, '50-traffic-split.yaml');
  await writeFile(split, (await readFile(split, 'utf8')).replace('weight: 50\n    - service: bookstore-v2\n      weight: 50', 'weight: 80\n    - service: bookstore-v2\n      weight: 20'));
  await waitFor('the reload that could not be sent counted', async () => (sampleValue(await scrape(), 'fsm_proxy_response_send_error_count', { type: 'reload' }) ?? 0) >= 1);
  await waitFor('the fetcher reloaded', () => fetcher.reloads >= 1);

  const families = await scrape();
  const samplesOf = new Map<string, MetricFamily['samples']>();
  for (const f of families.values()) for (const s of f.samples) samplesOf.set(s.name, [...(samplesOf.get(s.name) ?? []), s]);

  for (const [file, d] of dashboards) {
    for (const { where, expr, label } of queries(d)) {
      const { selectors, grouping } = analyse(expr);
      const labelsOf = (metric: string) => new Set((samplesOf.get(metric) ?? []).flatMap((s) => Object.keys(s.labels)));
      for (const s of selectors) {
        t.ok(samplesOf.has(s.metric), `${file} ${where}: ${s.metric} is on /metrics`);
        for (const m of s.matchers) {
          if (TARGET_LABELS.has(m.label)) continue;
          t.ok(labelsOf(s.metric).has(m.label), `${file} ${where}: ${s.metric} has the label ${m.label}`);
          if (m.op === '=') t.ok((samplesOf.get(s.metric) ?? []).some((x) => x.labels[m.label] === m.value), `${file} ${where}: ${s.metric}{${m.label}="${m.value}"} exists`);
        }
      }
      for (const l of [...grouping, ...(label ? [label] : [])]) {
        if (TARGET_LABELS.has(l)) continue;
        t.ok(selectors.some((s) => labelsOf(s.metric).has(l)), `${file} ${where}: grouped by ${l}, a label of its metrics`);
      }
    }
  }

  // And the values follow what happened.
  const v = (name: string, labels: Record<string, string>) => sampleValue(families, name, labels) ?? 0;
  const bookbuyer = { proxy_uuid: BOOKBUYER, identity: 'bookbuyer.bookbuyer' };
  t.ok(v('fsm_k8s_api_event_count', { type: 'trafficsplit-updated', namespace: 'bookstore' }) >= 1, 'the TrafficSplit edit is a trafficsplit-updated event in bookstore');
  t.ok(v('fsm_k8s_api_event_count', { type: 'pod-added', namespace: 'bookbuyer' }) >= 1, "the example's pods were added");
  t.ok(v('fsm_k8s_api_event_count', { type: 'namespace-added', namespace: '' }) >= 4, 'namespaces are cluster-scoped');
  t.ok(v('fsm_proxy_response_send_success_count', { ...bookbuyer, type: 'codebase' }) >= 2, "bookbuyer's codebase downloaded, then again after the reload");
  t.ok(v('fsm_proxy_response_send_success_count', { ...bookbuyer, type: 'reload' }) >= 1, 'the reload sent on the live link');
  t.ok(v('fsm_proxy_response_send_success_count', { ...bookbuyer, type: TypeUrl.PipySidecarConfig }) >= 1, 'the xDS response');
  t.ok(v('fsm_proxy_xds_request_count', { ...bookbuyer, type: TypeUrl.PipySidecarConfig }) >= 2, 'the xDS request and its ACK');
  t.ok(v('fsm_proxy_response_send_error_count', { ...bookbuyer, type: 'reload' }) >= 1, 'the reload the closing link missed, on bookbuyer');
  t.ok(v('fsm_proxy_config_update_time_count', { resource_type: 'sidecar', success: 'true' }) >= 6, 'every proxy generated at sync, bookbuyer again after the edit');
  t.equal(v('fsm_proxy_config_update_time_count', { resource_type: 'sidecar', success: 'false' }), 0);

  // The proxy goes away: its series go with it.
  await fetcher.close();
  xds.close();
  const manifest = join(dir, '10-bookbuyer.yaml');
  await writeFile(manifest, (await readFile(manifest, 'utf8')).split('\n---\n')[0] + '\n');
  await waitFor('bookbuyer gone', () => controller.store.proxyByUuid(BOOKBUYER) === undefined && controller.publisher().published({ generator: 'sidecar', key: BOOKBUYER }) === undefined);
  const after = await scrape();
  for (const name of ['fsm_proxy_response_send_success_count', 'fsm_proxy_response_send_error_count', 'fsm_proxy_xds_request_count']) {
    t.equal(sampleValue(after, name, { proxy_uuid: BOOKBUYER }), undefined, `${name}: no series of the deleted proxy`);
  }
  t.ok((sampleValue(after, 'fsm_k8s_api_event_count', { type: 'pod-deleted', namespace: 'bookbuyer' }) ?? 0) >= 1, 'its deletion is a pod-deleted event');
});

// The control-plane names FSM's own dashboards query (charts/fsm/grafana/pipy/dashboards/*.json at
// v1.3.x; the rest are the sidecars' and cAdvisor's), with the label values they select.
const FSM_DASHBOARD_SERIES: [name: string, labels: Record<string, string>][] = [
  ['fsm_resource_namespace_count', {}],
  ['fsm_proxy_connect_count', {}],
  ['fsm_http_response_duration_bucket', { method: 'post', path: '/mutate-pod-creation' }],
  ['fsm_cert_issued_time_bucket', {}],
  ['fsm_cert_issued_count', {}],
  ['fsm_admission_webhook_response_total', { kind: 'Pod', success: 'true' }],
  ['fsm_admission_webhook_response_total', { kind: 'Pod', success: 'false' }],
  ['fsm_error_err_code_count', { err_code: 'E2005' }],
];

t.test("the series FSM's own dashboards select are there from the start", async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-dashboards-fsm');
  await writeFile(join(dir, '90-broken-target.yaml'), BROKEN_TARGET);
  const o = parseControllerOptions(['--source', `file:${dir}`, '--state-dir', stateDir, '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {});
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  const ports = await controller.start();
  await waitFor('ready', () => controller.isReady());
  const families = await scrapeMetrics(ports.admin);
  for (const [name, labels] of FSM_DASHBOARD_SERIES) t.ok(sampleValue(families, name, labels) !== undefined, `${name}${JSON.stringify(labels)}`);
  t.equal(sampleValue(families, 'fsm_resource_namespace_count'), 4, 'the example meshes four namespaces');
  t.equal(sampleValue(families, 'fsm_error_err_code_count', { err_code: 'E2005' }), 1, 'the broken TrafficTarget, counted once at sync');
});

import t from 'tap';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCrds } from '../../../src/model/kinds/crds.js';
import { KINDS } from '../../../src/model/kinds/kind-list.js';

const DIR = join('charts', 'fsm-controller', 'crds');

t.test('charts/fsm-controller/crds is current (run `npm run gen:crds` after changing a kind)', async (t) => {
  const files = renderCrds();
  const onDisk = (await readdir(DIR)).filter((f) => f.endsWith('.yaml')).sort();
  t.same(onDisk, files.map((f) => f.name).sort(), 'the same set of files');
  for (const f of files) t.equal(await readFile(join(DIR, f.name), 'utf8'), f.content, f.name);
});

t.test('one CRD per mesh CRD kind, with group, scope and a structural schema', async (t) => {
  const crds = renderCrds().map((f) => parse(f.content) as Record<string, any>);
  const expected = KINDS.filter((k) => k.apiVersion.includes('.') && !k.apiVersion.startsWith('discovery.k8s.io')).map((k) => k.apiKind ?? k.kind);
  t.same(crds.map((c) => c['spec']['names']['kind']), expected);
  const byKind = new Map(crds.map((c) => [c['spec']['names']['kind'] as string, c]));
  t.equal(byKind.get('Isolation')?.['spec']['scope'], 'Cluster');
  t.equal(byKind.get('Plugin')?.['spec']['scope'], 'Cluster');
  t.equal(byKind.get('TrafficTarget')?.['spec']['scope'], 'Namespaced');
  const mc = byKind.get('MeshConfig')?.['spec']['versions'][0];
  t.equal(mc['name'], 'v1alpha3');
  const traffic = mc['schema']['openAPIV3Schema']['properties']['spec']['properties']['traffic']['properties'];
  t.same(traffic['enableEgress'], { type: 'boolean' });
  t.same(traffic['serviceAccessMode']['enum'], ['mixed', 'ip', 'domain']);
  const uts = byKind.get('UpstreamTrafficSetting')?.['spec']['versions'][0]['schema']['openAPIV3Schema']['properties']['spec'];
  const http = uts['properties']['rateLimit']['properties']['local']['properties']['http']['properties'];
  t.same(http['unit']['enum'], ['second', 'minute', 'hour']);
  t.equal(http['responseStatusCode']['minimum'], 400);
  t.equal(http['responseStatusCode']['maximum'], 599);
  const retry = byKind.get('Retry')?.['spec']['versions'][0]['schema']['openAPIV3Schema']['properties']['spec'];
  const pattern = new RegExp(retry['properties']['retryPolicy']['properties']['perTryTimeout']['pattern']);
  t.ok(pattern.test('1h30m') && pattern.test('1.5s') && !pattern.test('5 seconds'), 'duration pattern agrees with the runtime parser');
});

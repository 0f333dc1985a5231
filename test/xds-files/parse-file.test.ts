import t from 'tap';
import { TypeUrl } from '../../cache/types.js';
import { jsonErrorOffset } from '../../src/xds-files/json-error-offset.js';
import { formatIssue, isResourceFile, parseResourceFile } from '../../src/xds-files/parse-file.js';
import { cluster, endpoints, listener, listenerWithoutStatPrefix, route } from './fixtures/manifests.js';
import { ALIAS_BOMB, DEEP_JSON } from '../sources/file/fixtures/hostile-manifests.js';

t.test('a JSON file holds one resource or an array', async (t) => {
  const one = parseResourceFile('c.json', JSON.stringify(cluster('a')));
  t.same(one.issues, []);
  t.same(one.resources.map((r) => [r.typeUrl, r.name]), [[TypeUrl.Cluster, 'a']]);
  const many = parseResourceFile('all.json', JSON.stringify([listener('l', 'r'), route('r', 'a'), cluster('a'), endpoints('a', 1)], null, 2));
  t.same(many.issues, []);
  t.same(many.resources.map((r) => r.name), ['l', 'r', 'a', 'a']);
});

t.test('YAML: several documents, each a resource or a list', async (t) => {
  const text = ['"@type": ' + TypeUrl.Cluster, 'name: a', 'type: EDS', 'eds_cluster_config: {eds_config: {ads: {}}}', '---', '- ' + JSON.stringify(route('r', 'a')), '- ' + JSON.stringify(endpoints('a', 2)), '---', ''].join('\n');
  const parsed = parseResourceFile('x.yaml', text);
  t.same(parsed.issues, []);
  t.same(parsed.resources.map((r) => r.name), ['a', 'r', 'a']);
});

t.test('a validation error names file, document, item, line and field; the file serves nothing', async (t) => {
  const text = [
    '"@type": ' + TypeUrl.Cluster,
    'name: good',
    '---',
    '- ' + JSON.stringify(endpoints('a', 1)),
    '- "@type": ' + TypeUrl.Listener,
    '  name: l',
    '  api_listener:',
    '    api_listener:',
    '      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    '      stat_prefix: s',
    '      statprefix: typo',
    '      route_config: {name: r}',
  ].join('\n');
  const parsed = parseResourceFile('dir/bad.yml', text);
  t.same(parsed.resources, []);
  t.same(parsed.issues, [{ file: 'dir/bad.yml', document: 1, index: 1, line: 11, field: 'api_listener.api_listener.statprefix', reason: 'unknown field' }]);
  t.equal(formatIssue(parsed.issues[0]!), 'dir/bad.yml:11: document 1 item 1: api_listener.api_listener.statprefix: unknown field');
});

t.test('syntax errors carry a line', async (t) => {
  const yaml = parseResourceFile('s.yaml', 'name: a\nb: [1,\n');
  t.equal(yaml.issues.length, 1);
  t.match(yaml.issues[0], { file: 's.yaml', document: 0, line: Number, field: '', reason: /^syntax error/ });
  const json = parseResourceFile('s.json', '{\n  "@type": "x",\n  "name": \n}');
  t.equal(json.issues.length, 1);
  t.match(json.issues[0], { file: 's.json', document: 0, line: 4, reason: /^syntax error/ });
  const comma = parseResourceFile('c.json', '[\n {"a": 1},\n {"b": 2}\n {"c": 3}\n]');
  t.match(comma.issues, [{ line: 4, reason: /^syntax error/ }]);
  t.equal(jsonErrorOffset('{"a": [1, 2, {"b": "x\\u00e9"}], "c": null}'), undefined);
  t.equal(jsonErrorOffset('{"a": tru}'), 6);
});

t.test('non-objects and missing types are reported per item', async (t) => {
  const parsed = parseResourceFile('m.json', JSON.stringify([cluster('a'), 'oops', { name: 'x' }]));
  t.same(
    parsed.issues.map((i) => [i.index, i.field, i.reason]),
    [
      [1, '', 'expected a resource object with "@type"'],
      [2, '@type', 'required (the resource type URL)'],
    ],
  );
});

t.test('which names are resource files', async (t) => {
  t.ok(isResourceFile('a/b.json'));
  t.ok(isResourceFile('b.YAML'));
  t.ok(isResourceFile('b.yml'));
  t.notOk(isResourceFile('a/.b.json'));
  t.notOk(isResourceFile('b.json.tmp'));
  t.notOk(isResourceFile('b.txt'));
});

t.test('hostile input is an issue of the file, never an exception', async (t) => {
  const bomb = parseResourceFile('bomb.yaml', `${JSON.stringify(cluster('ok'))}\n---\n${ALIAS_BOMB}`);
  t.same(bomb.resources, [], 'a file with an issue serves nothing');
  t.same(bomb.issues, [{ file: 'bomb.yaml', document: 1, field: '', reason: 'YAML: more than 100 alias expansions (a possible alias bomb); document refused' }]);
  t.match(parseResourceFile('deep.json', DEEP_JSON).issues, [{ file: 'deep.json', reason: 'nested more than 100 levels deep; document refused' }]);
  const deepYaml = parseResourceFile('deep.yaml', `"@type": ${TypeUrl.Cluster}\nname: d\nmetadata: ${'['.repeat(150)}${']'.repeat(150)}\n`);
  t.match(deepYaml.issues, [{ reason: 'nested more than 100 levels deep; document refused' }]);
});

t.test('more resources than allowed refuses the file', async (t) => {
  const text = JSON.stringify([cluster('a'), cluster('b'), cluster('c')]);
  t.equal(parseResourceFile('many.json', text, { maxObjectsPerFile: 3 }).resources.length, 3);
  t.same(parseResourceFile('many.json', text, { maxObjectsPerFile: 2 }), {
    resources: [],
    issues: [{ file: 'many.json', field: '', reason: 'more than 2 resources in one file (--file-max-objects); file refused' }],
    warnings: [],
  });
});

t.test('a broken protoc-gen-validate rule is a warning (file, line, field, rule) and the resource is served; strictValidate refuses it', async (t) => {
  const text = JSON.stringify([cluster('a'), listenerWithoutStatPrefix('l', 'r')], null, 2);
  const lenient = parseResourceFile('lds.json', text);
  t.same(lenient.issues, []);
  t.same(lenient.resources.map((r) => r.name), ['a', 'l']);
  // The field is absent, so the line is that of its closest ancestor, the HttpConnectionManager.
  t.same(lenient.warnings, [{ file: 'lds.json', document: 0, index: 1, line: 16, field: 'api_listener.api_listener.stat_prefix', reason: 'required (must not be empty)', rule: 'string.min_len = 1' }]);
  t.equal(formatIssue(lenient.warnings[0] ?? { file: '', field: '', reason: '' }), 'lds.json:16: document 0 item 1: api_listener.api_listener.stat_prefix: required (must not be empty) (rule string.min_len = 1)');
  const strict = parseResourceFile('lds.json', text, { strictValidate: true });
  t.same(strict.resources, [], 'the file serves nothing');
  t.match(strict.issues, [{ field: 'api_listener.api_listener.stat_prefix', rule: 'string.min_len = 1' }]);
  t.same(strict.warnings, []);
  const both = parseResourceFile('x.json', JSON.stringify([listenerWithoutStatPrefix('l', 'r'), { ...cluster('b'), typo: 1 }]));
  t.same(both.resources, [], 'an error elsewhere in the file still refuses the whole file');
  t.same(both.warnings, []);
});

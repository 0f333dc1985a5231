/**
 * Golden configurations, one per feature: base.yaml plus fixtures/<feature>.yaml
 * give golden/<feature>.json (the codebase name, the generation problems and
 * config.json, pretty-printed in the order it is served). The goldens were
 * checked by hand against FSM 1.3's fgw types and gateway scripts (see
 * docs/gateway.md). GOLDEN_UPDATE=1 rewrites them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import t from 'tap';
import { fixture, generateAll, storeOf } from './helpers.js';

const FEATURES = ['http-routing', 'split', 'filters', 'redirects', 'prefixes', 'grpc', 'tls', 'l4', 'policies-l7', 'policies-service', 'references'];

for (const feature of FEATURES) {
  t.test(feature, async (t) => {
    const store = storeOf([...fixture('base.yaml'), ...fixture(`${feature}.yaml`)]);
    const nodes = generateAll(store);
    t.equal(nodes.size, 1, 'one gateway per fixture');
    const [[key, node]] = [...nodes] as [[string, NonNullable<ReturnType<typeof nodes.get>>]];
    const actual = `${JSON.stringify({ gateway: key, codebase: node.codebaseName, problems: node.problems, config: JSON.parse(node.configJson) }, null, 2)}\n`;
    const file = new URL(`./golden/${feature}.json`, import.meta.url);
    if (process.env['GOLDEN_UPDATE'] === '1') await writeFile(file, actual);
    t.equal(actual, await readFile(file, 'utf8'), `golden/${feature}.json`);
  });
}

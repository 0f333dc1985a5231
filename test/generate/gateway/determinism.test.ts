/**
 * Property: the output does not depend on input order. Every feature fixture
 * at once (nine Gateways), applied in many shuffled orders and with the
 * lists whose order means nothing reversed (route hostnames, backendRefs,
 * endpoints, ReferenceGrant entries, policy ports), gives byte-identical
 * configs, versions and statuses.
 */
import t from 'tap';
import { computeGatewayStatus } from '../../../src/generate/gateway/status/gateway-status.js';
import type { MeshObject } from '../../../src/model/types.js';
import { fixture, generateAll, shuffle, storeOf } from './helpers.js';

const FEATURES = ['http-routing', 'split', 'filters', 'grpc', 'tls', 'l4', 'policies-l7', 'policies-service', 'references'];
const all = [...fixture('base.yaml'), ...FEATURES.flatMap((f) => fixture(`${f}.yaml`))];

/** A deep copy with every list whose order carries no meaning reversed. */
function reverseUnordered(o: MeshObject): MeshObject {
  const copy = structuredClone(o) as MeshObject & Record<string, any>;
  const spec = copy.spec as Record<string, any> | undefined;
  if (Array.isArray(spec?.['hostnames'])) spec['hostnames'].reverse();
  for (const rule of (spec?.['rules'] as { backendRefs?: unknown[] }[] | undefined) ?? []) rule.backendRefs?.reverse();
  if (Array.isArray(spec?.['ports'])) spec['ports'].reverse();
  if (copy.kind === 'ReferenceGrant') {
    spec?.['from']?.reverse();
    spec?.['to']?.reverse();
  }
  if (Array.isArray(copy['endpoints'])) copy['endpoints'].reverse();
  return copy;
}

function render(objects: readonly MeshObject[]): string {
  const store = storeOf(objects);
  const nodes = generateAll(store);
  return JSON.stringify({ nodes: [...nodes].map(([k, n]) => [k, n.codebaseName, n.version, n.configJson, n.problems]), status: computeGatewayStatus(store) });
}

t.test('shuffled objects and reversed unordered lists give identical output', async (t) => {
  const reference = render(all);
  t.ok(reference.length > 10_000, 'a substantial output');
  for (const seed of [1, 2, 3, 7, 42, 99, 1234, 4242, 65537, 99991]) {
    const objects = shuffle(all, seed).map((o, i) => (i % 2 === seed % 2 ? reverseUnordered(o) : o));
    t.equal(render(objects), reference, `seed ${seed}`);
  }
});

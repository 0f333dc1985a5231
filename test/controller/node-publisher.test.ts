import t from 'tap';
import { codebaseOf, createCodebase, createCodebaseResource } from '../../cache/codebase.js';
import { createLinearCache } from '../../cache/linear-cache.js';
import { createResource } from '../../cache/resource.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { createNodePublisher } from '../../src/controller/node-publisher.js';
import type { NodeOutputs } from '../../src/generate/generator.js';

function outputs(name: string, nodeId: string, content: string): NodeOutputs {
  const codebase = createCodebase({ layers: [new Map([['/main.js', Buffer.from(content)]])] });
  const config = createResource({ typeUrl: TypeUrl.PipySidecarConfig, name: nodeId, bytes: Buffer.from(content), version: `v-${content}` });
  return {
    codebase: createCodebaseResource(name, codebase),
    xds: { nodeId, resources: [config], versions: { [TypeUrl.PipySidecarConfig]: `v-${content}` }, primaryType: TypeUrl.PipySidecarConfig },
  };
}

function setup() {
  const snapshots = createSnapshotCache();
  const codebases = createLinearCache(TypeUrl.PipyCodebase);
  return { snapshots, codebases, publisher: createNodePublisher({ snapshots, codebases }) };
}

t.test('a node publishes its codebase into the codebase cache and its snapshot under its node id', async (t) => {
  const { snapshots, codebases, publisher } = setup();
  const before = codebases.version();
  publisher.publish('sidecar', [{ key: 'u1', outputs: outputs('fsm-sidecar/a', 'a', 'one') }, { key: 'u2', outputs: outputs('fsm-sidecar/b', 'b', 'two') }], []);
  t.equal(codebases.version(), `${Number(before) + 1}`, 'one cache update for the whole step');
  t.ok(codebaseOf(codebases.getResources().get('fsm-sidecar/a')));
  t.equal(snapshots.getSnapshot('a')?.version(TypeUrl.PipySidecarConfig), 'v-one');
  t.same(publisher.published({ generator: 'sidecar', key: 'u1' }), {
    codebase: { name: 'fsm-sidecar/a', version: codebases.getResources().get('fsm-sidecar/a')?.version },
    xds: { nodeId: 'a', primaryType: TypeUrl.PipySidecarConfig, version: 'v-one' },
  });
  t.same(publisher.codebaseOwner('fsm-sidecar/b'), { generator: 'sidecar', key: 'u2' });
  t.equal(publisher.published({ generator: 'gateway', key: 'u1' }), undefined, 'nodes are per generator');
  t.equal(publisher.size(), 2);
});

t.test('a node whose names change leaves nothing behind; removal clears both outputs', async (t) => {
  const { snapshots, codebases, publisher } = setup();
  publisher.publish('sidecar', [{ key: 'u1', outputs: outputs('fsm-sidecar/old', 'old', 'one') }], []);
  publisher.publish('sidecar', [{ key: 'u1', outputs: outputs('fsm-sidecar/new', 'new', 'one') }], []);
  t.same([...codebases.getResources().keys()], ['fsm-sidecar/new'], 'the old codebase is gone');
  t.equal(snapshots.getSnapshot('old'), undefined, 'and its snapshot');
  t.equal(publisher.codebaseOwner('fsm-sidecar/old'), undefined);
  t.equal(publisher.size(), 1);

  publisher.publish('sidecar', [], ['u1', 'never-published']);
  t.equal(codebases.numResources(), 0);
  t.equal(snapshots.getSnapshot('new'), undefined);
  t.equal(publisher.published({ generator: 'sidecar', key: 'u1' }), undefined);
  t.equal(publisher.size(), 0, 'removing an unknown node is a no-op');
});

t.test('two nodes swapping codebase names in one step keep both codebases', async (t) => {
  const { snapshots, codebases, publisher } = setup();
  publisher.publish('g', [{ key: 'k1', outputs: outputs('x', 'nx', '1') }, { key: 'k2', outputs: outputs('y', 'ny', '2') }], []);
  publisher.publish('g', [{ key: 'k1', outputs: outputs('y', 'ny', '1') }, { key: 'k2', outputs: outputs('x', 'nx', '2') }], []);
  t.same([...codebases.getResources().keys()].sort(), ['x', 'y']);
  t.same(publisher.codebaseOwner('x'), { generator: 'g', key: 'k2' });
  t.same(publisher.codebaseOwner('y'), { generator: 'g', key: 'k1' });
  t.equal(snapshots.getSnapshot('nx')?.version(TypeUrl.PipySidecarConfig), 'v-2', 'and both snapshots');
  t.equal(snapshots.getSnapshot('ny')?.version(TypeUrl.PipySidecarConfig), 'v-1');
});

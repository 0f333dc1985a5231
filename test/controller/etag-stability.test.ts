import { readFileSync } from 'node:fs';
import t from 'tap';
import { createLinearCache } from '../../cache/linear-cache.js';
import { createSnapshotCache } from '../../cache/snapshot-cache.js';
import { TypeUrl } from '../../cache/types.js';
import { loadDirectory } from '../../src/cli/commands/load-directory.js';
import { createNodePublisher } from '../../src/controller/node-publisher.js';
import { createSidecarConfigSet } from '../../src/generate/sidecar/index.js';
import { loadBaseCodebase } from '../../src/pipy-base/load-base-codebase.js';

// A controller upgraded across a change of the delivery path must not make a
// single proxy reload: for the same mesh, the codebase etag and the xDS
// version of every proxy must be what the previous code published (built-in
// base, no certificates, the mesh in fixtures/etag-mesh). The values were
// first recorded with the code before codebases became cache resources
// (commit 6b43988), and this test passed unchanged across that refactor; they
// were re-recorded since for deliberate changes of the generated configs:
// serviceAccessNames took FSM's CRD defaults (host names), and outbound
// ranges follow FSM's resolvable endpoints (endpoint IPs too); every proxy
// reloads once on the upgrade that brings them. Re-record them only for a deliberate change of the generated
// configs, and say so in the commit and the README.

const recorded = JSON.parse(readFileSync(new URL('./fixtures/etag-mesh.recorded.json', import.meta.url), 'utf8')) as Record<string, { config: string; etag: string; xds: string }>;

t.test('every proxy of the fixture mesh gets the etag and xDS version the previous code gave it', async (t) => {
  const store = await loadDirectory(new URL('./fixtures/etag-mesh', import.meta.url).pathname, { meshName: 'fsm', fsmNamespace: 'fsm-system' });
  const set = createSidecarConfigSet({ view: store, base: await loadBaseCodebase() });
  set.recompute();
  const snapshots = createSnapshotCache();
  const publisher = createNodePublisher({ snapshots, codebases: createLinearCache(TypeUrl.PipyCodebase) });
  publisher.publish('sidecar', set.keys().map((key) => ({ key, outputs: set.get(key)!.outputs() })), []);
  t.same(set.keys(), Object.keys(recorded).sort(), 'the same proxies');
  for (const [uuid, want] of Object.entries(recorded)) {
    const got = publisher.published({ generator: 'sidecar', key: uuid });
    t.equal(set.get(uuid)?.version, want.config, `${uuid}: config version`);
    t.equal(got?.codebase?.version, want.etag, `${uuid}: codebase etag`);
    t.equal(got?.xds?.version, want.xds, `${uuid}: xDS version`);
  }
});

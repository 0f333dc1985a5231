import t from 'tap';
import { caFromRoot, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager } from '../../src/certificate/manager.js';
import { createServingTls, type ServingTlsMaterial } from '../../src/controller/serving-tls.js';

const HOUR = 3_600_000;
const SERVING = { namespace: 'fsm-system', serviceAccount: 'fsm-controller' };

/** A manager whose validity, like the MeshConfig's, can change after start. */
async function managerWithValidity(t: { teardown(fn: () => unknown): void }) {
  const policy = { validityMs: 24 * HOUR };
  const manager = createCertificateManager({ issuer: caFromRoot(await generateRoot()), validity: () => policy.validityMs });
  t.teardown(() => manager.close());
  return { manager, policy };
}

t.test('a serving certificate issued at start is re-issued once the mesh allows less validity', async (t) => {
  const { manager, policy } = await managerWithValidity(t);
  const serving = await createServingTls(manager, { fsmNamespace: 'fsm-system' });
  t.teardown(() => serving.close());
  const first = serving.current();
  t.ok(first.notAfter.getTime() > Date.now() + 23 * HOUR, 'issued with the 24 h default');
  const pushed: ServingTlsMaterial[] = [];
  serving.onChange((m) => pushed.push(m));
  policy.validityMs = HOUR;
  await serving.validityKnown();
  t.equal(pushed.length, 1, 'the listeners got the new material');
  t.not(serving.current().serialNumber, first.serialNumber);
  t.ok(serving.current().notAfter.getTime() <= Date.now() + HOUR + 2_000, 'now valid for the mesh validity');
  await serving.validityKnown();
  t.equal(pushed.length, 1, 'once');
});

t.test('a serving certificate is kept when it does not outlive the mesh validity, or was loaded', async (t) => {
  const { manager, policy } = await managerWithValidity(t);
  const longer = await createServingTls(manager, { fsmNamespace: 'fsm-system' });
  t.teardown(() => longer.close());
  const issued = longer.current().serialNumber;
  policy.validityMs = 48 * HOUR;
  await longer.validityKnown();
  t.equal(longer.current().serialNumber, issued, 'a longer mesh validity: it just renews early');

  // A certificate the manager already holds (as one loaded from --state-dir) keeps its schedule.
  policy.validityMs = 24 * HOUR;
  const other = await managerWithValidity(t);
  const held = await other.manager.issueWorkload({ ...SERVING, hostnames: ['fsm-controller', 'fsm-controller.fsm-system', 'fsm-controller.fsm-system.svc', 'fsm-controller.fsm-system.svc.cluster.local', 'localhost'] });
  const loaded = await createServingTls(other.manager, { fsmNamespace: 'fsm-system' });
  t.teardown(() => loaded.close());
  t.equal(loaded.current().serialNumber, held.serialNumber);
  other.policy.validityMs = HOUR;
  await loaded.validityKnown();
  t.equal(loaded.current().serialNumber, held.serialNumber, 'not re-issued');
});

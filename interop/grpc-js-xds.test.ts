import t from 'tap';
import { runRuleWarningScenario, runScenario } from './scenario.js';
import { startLibraryControl, startServeXdsControl } from './xds-control.js';

/** @grpc/grpc-js-xds 1.14 (a real xDS client, in a child process) against both shapes of the control plane. */
t.setTimeout(600_000);

t.test('grpc-js-xds against the library API', async (t) => {
  const control = await startLibraryControl();
  t.teardown(() => control.close());
  await runScenario(t, 'grpc-js-xds', control);
});

t.test('grpc-js-xds against fsm-controller serve-xds', async (t) => {
  const control = await startServeXdsControl();
  t.teardown(() => control.close());
  await runScenario(t, 'grpc-js-xds', control);
});

t.test('grpc-js-xds takes a Listener without stat_prefix from fsm-controller serve-xds', async (t) => {
  const control = await startServeXdsControl();
  t.teardown(() => control.close());
  await runRuleWarningScenario(t, 'grpc-js-xds', control);
});

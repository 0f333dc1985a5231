import t from 'tap';
import { runRuleWarningScenario, runScenario } from './scenario.js';
import { startLibraryControl, startServeXdsControl } from './xds-control.js';

/** gRPC C-core 1.51 (Debian python3-grpcio, a real xDS client in a child process) against both shapes of the control plane. */
t.setTimeout(600_000);

t.test('grpc-core against the library API', async (t) => {
  const control = await startLibraryControl();
  t.teardown(() => control.close());
  await runScenario(t, 'grpc-core', control);
});

t.test('grpc-core against fsm-controller serve-xds', async (t) => {
  const control = await startServeXdsControl();
  t.teardown(() => control.close());
  await runScenario(t, 'grpc-core', control);
});

t.test('grpc-core takes a Listener without stat_prefix from fsm-controller serve-xds', async (t) => {
  const control = await startServeXdsControl();
  t.teardown(() => control.close());
  await runRuleWarningScenario(t, 'grpc-core', control);
});

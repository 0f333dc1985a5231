/**
 * Registry sources through a running controller: `--source consul:…` next
 * to a file source with a meshed client pod; an instance registered in
 * Consul reaches the client's sidecar config (repo and model), staleness
 * shows in /debug/errors and /debug/sources, and a ConsulConnector written
 * to the file source starts a second source at run time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { createConsulStandIn } from '../stand-ins/consul-stand-in.js';
import { CLIENT_UUID } from '../support/registry-mesh.js';
import { waitFor } from '../support/wait-for.js';

const clientYaml = `
apiVersion: v1
kind: Namespace
metadata: { name: app, labels: { flomesh.io/monitored-by: fsm } }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: app, labels: { app: client, fsm-proxy-uuid: ${CLIENT_UUID} } }
spec: { serviceAccountName: client, containers: [{ name: client }] }
status: { podIP: 10.244.0.5, phase: Running }
`;

const connectorYaml = (url: string) => `
apiVersion: connector.flomesh.io/v1alpha1
kind: ConsulConnector
metadata: { name: consul, namespace: fsm-system }
spec:
  httpAddr: ${url}
  deriveNamespace: from-connector
  syncPeriod: 2s
  syncToK8S: { enable: true, filterMetadatas: [{ key: zone, value: b }] }
  syncFromK8S: { enable: false }
`;

type Outbound = { ClustersConfigs?: Record<string, { Endpoints: Record<string, unknown> }> };

t.test('a Consul instance reaches a sidecar through the running controller', async (t) => {
  const consul = await createConsulStandIn();
  t.teardown(() => consul.close());
  const dir = await mkdtemp(join(tmpdir(), 'ctl-registries-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'ctl-registries-state-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  await writeFile(join(dir, 'client.yaml'), clientYaml);
  consul.register({ id: 'web-1', service: 'web', serviceAddress: '10.0.0.11', port: 8080, meta: { zone: 'a' } });

  const options = parseControllerOptions(
    ['--source', `file:${dir}`, '--source', `consul:${consul.url}?namespace=registry&wait=2s`, '--state-dir', stateDir,
      '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--debug', '--quiet-ms', '20', '--max-delay-ms', '200'],
    {},
  );
  if (options === 'help') throw new Error('unexpected help');
  const controller = createController(options);
  t.teardown(() => controller.close());
  const ports = await controller.start();
  await waitFor('controller ready', () => controller.isReady());

  const endpoints = (cluster: string) => Object.keys((controller.configs().get(CLIENT_UUID)?.config.Outbound as Outbound | null)?.ClustersConfigs?.[cluster]?.Endpoints ?? {}).sort();
  t.same(endpoints('registry/web|8080'), ['10.0.0.11:8080'], 'the instance is in the first config');

  const before = controller.configs().get(CLIENT_UUID)?.version;
  const registered = Date.now();
  consul.register({ id: 'web-2', service: 'web', serviceAddress: '10.0.0.12', port: 8080, meta: { zone: 'b' } });
  await waitFor('the new instance in the sidecar config', () => endpoints('registry/web|8080').length === 2, 10_000);
  t.comment(`registered → new config: ${Date.now() - registered} ms (measured, not asserted; see bench/registries.ts)`);
  t.not(controller.configs().get(CLIENT_UUID)?.version, before, 'a new config version');
  const repoConfig = await fetch(`http://127.0.0.1:${ports.repo}/repo/fsm-sidecar/${controller.store.proxyByUuid(CLIENT_UUID)?.cnPrefix}/config.json`).then((r) => r.text());
  t.match(repoConfig, /10\.0\.0\.12:8080/, 'served on the Pipy repo');

  await consul.http.stop();
  await waitFor('staleness in /debug/errors', async () => {
    const errs = (await fetch(`http://127.0.0.1:${ports.admin}/debug/errors`).then((r) => r.json())) as { model: { code?: string }[] };
    return errs.model.some((e) => e.code === 'E8000');
  });
  const dbg = (await fetch(`http://127.0.0.1:${ports.admin}/debug/sources`).then((r) => r.json())) as { sources: { name: string; status: { stale?: boolean; services?: number } | null }[] };
  t.match(dbg.sources.find((s) => s.name === `consul:${consul.url}`)?.status, { stale: true, services: 1 }, '/debug/sources shows the stale source and what it keeps');
  t.same(endpoints('registry/web|8080'), ['10.0.0.11:8080', '10.0.0.12:8080'], 'nothing leaves while Consul is down');
  const metrics = await fetch(`http://127.0.0.1:${ports.admin}/metrics`).then((r) => r.text());
  t.match(metrics, /fsm_error_err_code_count\{err_code="E8000"\} [1-9]/, 'and the error counter moved');

  await consul.http.start();
  consul.deregister('web-1');
  await waitFor('changes flow again', () => endpoints('registry/web|8080').join() === '10.0.0.12:8080', 20_000);

  // A connector arriving from the file source starts another source at run time.
  await writeFile(join(dir, 'connector.yaml'), connectorYaml(consul.url.replace('http://', '')));
  await waitFor('the connector source', () => endpoints('from-connector/web|8080').join() === '10.0.0.12:8080', 20_000);
  const dbg2 = (await fetch(`http://127.0.0.1:${ports.admin}/debug/sources`).then((r) => r.json())) as { registries: { connectors: { connector: string; source: string }[] } };
  t.same(dbg2.registries.connectors.map((c) => c.connector), ['ConsulConnector fsm-system/consul']);
  await rm(join(dir, 'connector.yaml'));
  await waitFor('the connector gone, its services gone', () => controller.store.get('Service', 'from-connector', 'web') === undefined, 20_000);
});

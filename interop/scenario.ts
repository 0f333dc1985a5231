import type { Test } from 'tap';
import { startClient, type CallResult, type ClientKind } from './client-process.js';
import { startEchoBackend } from './echo-backend.js';
import { bootstrap, cluster, endpoints, listener, listenerRejectedByGrpc, listenerWithoutStatPrefix, route, TARGET } from './echo-resources.js';
import type { XdsControl } from './xds-control.js';

/** Polls `fn` every 50 ms until it returns a value or `ms` passes (then throws, naming `what`). */
async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string, diag: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${diag()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The interop scenario for one real client against one control plane:
 * route to A; switch to B (within 1 s); split 80/20; an invalid Listener is
 * NACKed with the client's text visible on the server and calls keep
 * working; a server restart is survived.
 */
export async function runScenario(t: Test, kind: ClientKind, control: XdsControl): Promise<void> {
  const a = await startEchoBackend('A');
  const b = await startEchoBackend('B');
  t.teardown(() => Promise.all([a.close(), b.close()]).then(() => undefined));
  const base = [listener(), cluster('A'), cluster('B'), endpoints('A', a.port), endpoints('B', b.port)];
  await control.apply([...base, route('A')]);

  const nodeId = `${kind}-${control.kind}-${process.pid}`;
  const client = startClient(kind, { bootstrap: bootstrap(control.address, nodeId), target: TARGET });
  t.teardown(() => client.close());
  const diag = () => `last results: ${JSON.stringify(client.results.slice(-3))}\nclient stderr: ${client.stderrTail()}`;
  const after = (since: number): CallResult[] => client.results.filter((r) => r.at >= since);
  const firstFrom = (since: number, backend: string) => after(since).find((r) => r.backend === backend);

  // Generous: the client process starts (the grpc-js one through the TypeScript loader) and resolves LDS → RDS → CDS → EDS.
  await until(() => firstFrom(0, 'A'), 120_000, 'a first call to reach A', diag);
  t.pass(`${kind} → ${control.kind}: calls reach A`);

  const switchAt = Date.now();
  await control.apply([...base, route('B')]);
  const firstB = await until(() => firstFrom(switchAt, 'B'), 10_000, 'calls to reach B', diag);
  t.ok(firstB.at - switchAt <= 1000, `route change to B reached the client in ${firstB.at - switchAt} ms (limit 1000)`);
  const settledB = Date.now() + 200;
  await until(() => (after(settledB).length >= 20 ? true : undefined), 20_000, '20 calls after the switch', diag);
  t.same(new Set(after(settledB).map((r) => r.backend ?? r.error)), new Set(['B']), 'every call after the switch reaches B');

  await control.apply([...base, route({ A: 80, B: 20 })]);
  const splitAt = Date.now();
  await until(() => firstFrom(splitAt, 'A'), 10_000, 'the weighted route to apply', diag);
  const sampleFrom = Date.now() + 200;
  const sample = await until(() => {
    const r = after(sampleFrom);
    return r.length >= 200 ? r.slice(0, 200) : undefined;
  }, 60_000, '200 calls on the weighted route', diag);
  const shareA = sample.filter((r) => r.backend === 'A').length / sample.length;
  t.equal(sample.filter((r) => r.error).length, 0, 'no failed calls on the weighted route');
  t.ok(shareA >= 0.7 && shareA <= 0.9, `A got ${(shareA * 100).toFixed(1)}% of 200 calls (80% configured, band 70-90%)`);

  await control.apply([listenerRejectedByGrpc(), ...base.slice(1), route('B')]);
  const nack = await until(() => control.listenerNack(nodeId), 20_000, 'the Listener NACK to show on the server', diag);
  t.ok(nack.length > 0, `the client's NACK text is visible on the server: ${JSON.stringify(nack)}`);
  const afterNack = Date.now();
  await until(() => (after(afterNack).length >= 20 ? true : undefined), 20_000, '20 calls after the NACK', diag);
  t.equal(after(afterNack).filter((r) => r.error).length, 0, 'calls keep working on the last good config after the NACK');

  await control.apply([...base, route('A')]);
  await until(() => firstFrom(Date.now(), 'A'), 10_000, 'the fixed listener and route A', diag);
  await control.restart();
  await until(async () => ((await control.streams(nodeId)) > 0 ? true : undefined), 120_000, 'the client to reconnect after the restart', diag);
  t.pass('the client reconnected to the restarted server');
  const restartedAt = Date.now();
  await control.apply([...base, route('B')]);
  await until(() => firstFrom(restartedAt, 'B'), 10_000, 'an update after the restart to reach the client', diag);
  const last = Date.now();
  await until(() => (after(last).length >= 20 ? true : undefined), 20_000, '20 calls after the restart', diag);
  t.equal(after(last).filter((r) => r.error).length, 0, 'calls keep working after the restart');
}

/**
 * A Listener that breaks only a protoc-gen-validate rule gRPC ignores (no
 * `stat_prefix`): serve-xds serves it with a warning, and the real client
 * takes it and routes calls by it.
 */
export async function runRuleWarningScenario(t: Test, kind: ClientKind, control: XdsControl): Promise<void> {
  const a = await startEchoBackend('A');
  t.teardown(() => a.close());
  await control.apply([listenerWithoutStatPrefix(), cluster('A'), endpoints('A', a.port), route('A')]);
  const nodeId = `${kind}-${control.kind}-rules-${process.pid}`;
  const client = startClient(kind, { bootstrap: bootstrap(control.address, nodeId), target: TARGET });
  t.teardown(() => client.close());
  const diag = () => `last results: ${JSON.stringify(client.results.slice(-3))}\nclient stderr: ${client.stderrTail()}`;
  await until(() => client.results.find((r) => r.backend === 'A'), 120_000, 'a first call to reach A', diag);
  t.pass(`${kind} takes a Listener without stat_prefix from ${control.kind} and routes calls by it`);
  t.same(await control.ruleWarnings?.(), ['api_listener.api_listener.stat_prefix: string.min_len = 1'], 'the server reports the broken rule as a warning');
  t.equal(await control.listenerNack(nodeId), undefined, 'the client did not NACK it');
}

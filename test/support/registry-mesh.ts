/**
 * A small mesh for registry-source tests: one meshed client pod (namespace
 * `app`), a model store fed by the source under test, and the pure
 * sidecar generator over it, so a test can ask what the client's sidecar
 * config says about a registry service (its Outbound cluster endpoints).
 */
import { createSidecarConfigSet, type SidecarConfigSet } from '../../src/generate/sidecar/config-set.js';
import { createModelStore, type ModelStore } from '../../src/model/store.js';
import type { Source, SourceEvent, SourceProblem } from '../../src/model/source-events.js';
import type { MeshObject } from '../../src/model/types.js';

export const CLIENT_UUID = '5d6b7c8a-1e2f-4a3b-9c8d-7e6f5a4b3c2d';

export const clientObjects: readonly MeshObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'flomesh.io/monitored-by': 'fsm' } } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client', namespace: 'app', labels: { app: 'client', 'fsm-proxy-uuid': CLIENT_UUID } },
    spec: { serviceAccountName: 'client', containers: [{ name: 'client' }] },
    status: { podIP: '10.244.0.5', phase: 'Running' },
  },
];

export interface RegistryMesh {
  readonly store: ModelStore;
  readonly configs: SidecarConfigSet;
  /** Batches the source emitted. */
  readonly batches: (readonly SourceEvent[])[];
  /** The source's current problems, by scope. */
  readonly problems: Map<string, readonly SourceProblem[]>;
  /** Starts the source with handlers that feed the store. */
  attach(source: Source): void;
  /** Endpoints (`ip:port`) of the client's Outbound cluster `<ns>/<svc>|<port>`, after regenerating; undefined when there is no such cluster. */
  endpoints(cluster: string): string[] | undefined;
  /** Host names routed to `<svc>.<ns>` in the client's HTTP outbound match on `port`. */
  hosts(port: number, policy: string): string[];
}

export function createRegistryMesh(extra: readonly MeshObject[] = []): RegistryMesh {
  const store = createModelStore();
  store.apply([...clientObjects, ...extra].map((object) => ({ type: 'upsert' as const, object })));
  const configs = createSidecarConfigSet({ view: store });
  const batches: (readonly SourceEvent[])[] = [];
  const problems = new Map<string, readonly SourceProblem[]>();
  const outbound = () => {
    configs.recompute();
    return configs.get(CLIENT_UUID)?.config.Outbound ?? null;
  };
  return {
    store,
    configs,
    batches,
    problems,
    attach(source) {
      source.start({
        onEvents(events) {
          batches.push(events);
          store.apply(events);
        },
        onProblems(scope, list) {
          problems.set(scope, list);
          store.setSourceProblems(scope, list);
        },
      });
    },
    endpoints(cluster) {
      const c = outbound()?.ClustersConfigs[cluster];
      return c ? Object.keys(c.Endpoints).sort() : undefined;
    },
    hosts(port, policy) {
      const out = outbound();
      const hosts: string[] = [];
      for (const m of out?.TrafficMatches[String(port)] ?? []) {
        for (const [h, p] of Object.entries(m.HttpHostPort2Service ?? {})) if (p.RuleName === policy) hosts.push(h);
      }
      return hosts.sort();
    },
  };
}

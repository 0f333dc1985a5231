import type { MeshObject } from '../../../src/model/types.js';
import type { SourceEvent, SourceHandlers, SourceProblem } from '../../../src/sources/source.js';
import type { KubernetesKind } from '../../../src/sources/kubernetes/kinds.js';

/**
 * A fake model: applies the source's batches to a map keyed
 * `Kind/namespace/name`, keeps every batch and the current problems per scope.
 */
export interface Recorder extends SourceHandlers {
  readonly objects: Map<string, MeshObject>;
  readonly batches: SourceEvent[][];
  readonly problems: Map<string, readonly SourceProblem[]>;
  /** Every event of every batch, in order. */
  events(): SourceEvent[];
}

export function createRecorder(): Recorder {
  const objects = new Map<string, MeshObject>();
  const batches: SourceEvent[][] = [];
  const problems = new Map<string, readonly SourceProblem[]>();
  return {
    objects,
    batches,
    problems,
    events: () => batches.flat(),
    onEvents(events) {
      batches.push([...events]);
      for (const e of events) {
        const key = `${e.object.kind}/${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
        if (e.type === 'upsert') objects.set(key, e.object);
        else objects.delete(key);
      }
    },
    onProblems(scope, list) {
      if (list.length === 0) problems.delete(scope);
      else problems.set(scope, list);
    },
  };
}

/** Polls `cond` every 10 ms; rejects with `what` after `timeoutMs` (a generous deadline, not a measurement). */
export async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const podKind: KubernetesKind = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
export const namespaceKind: KubernetesKind = { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
export const trafficSplitKind: KubernetesKind = {
  apiVersion: 'split.smi-spec.io/v1alpha4',
  kind: 'TrafficSplit',
  plural: 'trafficsplits',
  namespaced: true,
};

export function pod(namespace: string, name: string, ip: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: { serviceAccountName: name, containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip },
    ...extra,
  };
}

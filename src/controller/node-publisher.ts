import type { Resource } from '../../cache/resource.js';
import type { LinearCache } from '../../cache/linear-cache.js';
import type { SnapshotCache } from '../../cache/snapshot-cache.js';
import { createSnapshot } from '../../cache/snapshot.js';
import type { NodeOutputs } from '../generate/generator.js';

/** A node of one generator. */
export interface NodeRef {
  readonly generator: string;
  readonly key: string;
}

/** What is published for a node: the names and versions proxies see. */
export interface PublishedNode {
  readonly codebase?: { readonly name: string; readonly version: string };
  readonly xds?: { readonly nodeId: string; readonly primaryType: string; readonly version: string };
}

export interface NodePublisherOptions {
  /** Per-node xDS snapshots (the xDS server's cache). */
  readonly snapshots: SnapshotCache;
  /** Every codebase, by name (the repo server's cache: a linear cache of `fsm.pipy.v1.Codebase`). */
  readonly codebases: LinearCache;
}

/**
 * Puts generated outputs into the caches the servers read: a node's codebase
 * into the codebase cache and its xDS resources into a snapshot of its node
 * id. Generic over generators; it remembers what each node published, so a
 * node whose names change (a pod's new service account renames its codebase)
 * or that goes away leaves nothing behind.
 */
export interface NodePublisher {
  /**
   * Publishes one regeneration step of a generator: the outputs of nodes that
   * changed, and the removal of nodes that are gone. Codebases change in one
   * cache update per call, so the repo server hears of the step at once.
   */
  publish(generator: string, changed: readonly { readonly key: string; readonly outputs: NodeOutputs }[], removed: readonly string[]): void;
  published(node: NodeRef): PublishedNode | undefined;
  /** The node whose codebase has this name. */
  codebaseOwner(name: string): NodeRef | undefined;
  /** Published nodes of every generator. */
  size(): number;
}

export function createNodePublisher(opts: NodePublisherOptions): NodePublisher {
  const byGenerator = new Map<string, Map<string, PublishedNode>>();
  const owners = new Map<string, NodeRef>();
  let size = 0;

  const nodesOf = (generator: string): Map<string, PublishedNode> => {
    let m = byGenerator.get(generator);
    if (!m) byGenerator.set(generator, (m = new Map()));
    return m;
  };

  return {
    publish(generator, changed, removed) {
      const nodes = nodesOf(generator);
      const upserts: Resource[] = [];
      const deletes: string[] = [];
      const cleared: string[] = [];
      const set = new Set<string>();
      const drop = (key: string, prev: PublishedNode | undefined, next: PublishedNode | undefined) => {
        if (prev?.codebase && prev.codebase.name !== next?.codebase?.name) {
          deletes.push(prev.codebase.name);
          const owner = owners.get(prev.codebase.name);
          if (owner?.generator === generator && owner.key === key) owners.delete(prev.codebase.name);
        }
        if (prev?.xds && prev.xds.nodeId !== next?.xds?.nodeId) cleared.push(prev.xds.nodeId);
      };
      for (const key of removed) {
        const prev = nodes.get(key);
        if (!prev) continue;
        drop(key, prev, undefined);
        nodes.delete(key);
        size--;
      }
      for (const { key, outputs } of changed) {
        let xds: PublishedNode['xds'];
        if (outputs.xds) {
          const resources: Record<string, Resource[]> = {};
          for (const r of outputs.xds.resources) (resources[r.typeUrl] ??= []).push(r);
          const snapshot = createSnapshot({ resources, ...(outputs.xds.versions ? { versions: outputs.xds.versions } : {}) });
          opts.snapshots.setSnapshot(outputs.xds.nodeId, snapshot);
          set.add(outputs.xds.nodeId);
          xds = { nodeId: outputs.xds.nodeId, primaryType: outputs.xds.primaryType, version: snapshot.version(outputs.xds.primaryType) };
        }
        let codebase: PublishedNode['codebase'];
        if (outputs.codebase) {
          upserts.push(outputs.codebase);
          codebase = { name: outputs.codebase.name, version: outputs.codebase.version };
          owners.set(codebase.name, { generator, key });
        }
        const next: PublishedNode = { ...(codebase ? { codebase } : {}), ...(xds ? { xds } : {}) };
        const prev = nodes.get(key);
        drop(key, prev, next);
        if (!prev) size++;
        nodes.set(key, next);
      }
      // A name dropped by one node and taken by another in the same step (a swap) stays.
      for (const nodeId of cleared) if (!set.has(nodeId)) opts.snapshots.clearSnapshot(nodeId);
      const kept = new Set(upserts.map((r) => r.name));
      opts.codebases.updateResources(upserts, deletes.filter((n) => !kept.has(n)));
    },
    published: (node) => byGenerator.get(node.generator)?.get(node.key),
    codebaseOwner: (name) => owners.get(name),
    size: () => size,
  };
}

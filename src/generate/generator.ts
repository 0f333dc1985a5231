/**
 * The generator seam. A generator turns the model into what one kind of
 * node runs: a Pipy sidecar per proxy, a Pipy gateway per Gateway, an xDS
 * node per gRPC client. It declares its node keys, reads the model only
 * through the view, records what it read as dependency keys (its own
 * grammar), and returns a node's output as cache resources. Everything after
 * that — coalescing, regeneration in steps, publishing into the caches,
 * removal, convergence tracking, readiness — is generic (see output-set.ts
 * and src/controller/pipeline.ts), so a new generator is a folder under
 * src/generate/ plus one registration in the controller.
 *
 * Generators do no I/O and keep no timers. Output must be canonical (the same
 * view gives byte-identical resources and versions on every replica and after
 * a restart); state a generator keeps between calls is a memo of the view.
 */
import type { Resource } from '../../cache/resource.js';
import type { ModelChange, ModelView } from '../model/view.js';

/** A problem found while generating one node (the node is still generated, without the offending part). */
export interface GenerationProblem {
  /** FSM error code (E2004 …) when one applies. */
  readonly code?: string;
  /** `Kind namespace/name` of the offending object. */
  readonly object: string;
  readonly field?: string;
  readonly reason: string;
}

/** A node's xDS snapshot. */
export interface XdsNodeOutput {
  /** The node id (snapshot key) the snapshot is served to. */
  readonly nodeId: string;
  readonly resources: readonly Resource[];
  /** Per-type versions; a type without one gets the content hash of its resources. */
  readonly versions?: Readonly<Record<string, string>>;
  /** The type whose acknowledgement means the node runs this version (convergence). */
  readonly primaryType: string;
}

/** What a node is served as: a Pipy codebase, an xDS snapshot, or both. */
export interface NodeOutputs {
  /** A `fsm.pipy.v1.Codebase` resource (see cache/codebase.ts), named by its repo path. */
  readonly codebase?: Resource;
  readonly xds?: XdsNodeOutput;
}

export interface GeneratedNode {
  /** Content version of the node's output: equal versions mean equal outputs. */
  readonly version: string;
  /** Dependency keys read while generating; a change touching one of them regenerates the node. */
  readonly dependencies: ReadonlySet<string>;
  readonly problems: readonly GenerationProblem[];
  /** The generated document, for debug output and the CLI. May hold private keys: redact before showing. */
  readonly document: unknown;
  /** Builds the node's outputs. Called at most once per generated node, and only when its version changed. */
  outputs(): NodeOutputs;
}

/** What a batch of model changes touches, in a generator's terms. */
export interface Touched {
  /** Node keys the changes add or remove (or whose output name they change). */
  readonly nodes: Iterable<string>;
  /** Dependency keys the changes touch: nodes that recorded one of them are regenerated. */
  readonly keys: Iterable<string>;
}

export interface Generator<Batch = unknown, Node extends GeneratedNode = GeneratedNode> {
  /** Short name for logs, metrics and debug output: `sidecar`, `gateway`. */
  readonly name: string;
  /** Every node key of the view, sorted. */
  nodes(view: ModelView): readonly string[];
  /** Whether `key` is a node of the view. */
  hasNode(view: ModelView, key: string): boolean;
  touched(view: ModelView, changes: readonly ModelChange[]): Touched;
  /** State shared by the nodes of one regeneration batch (memos). The view does not change while it lives. */
  beginBatch(view: ModelView): Batch;
  generate(view: ModelView, key: string, batch: Batch): Node;
}

/**
 * The gateway generator: one node per Gateway of ours (`<namespace>/<name>`),
 * served as a Pipy codebase — the base scripts (FSM's gateway scripts from
 * `--gateway-codebase`, or the built-in default) with the Gateway's
 * config.json — named as gateways.ts says. There are no nodes unless
 * MeshConfig `gatewayAPI.enabled` is true.
 */
import { createCodebase, createCodebaseResource } from '../../../cache/codebase.js';
import { GatewayKinds, type Gateway, type GatewayClass } from '../../model/gateway-types.js';
import type { MeshObject } from '../../model/types.js';
import type { ModelChange, ModelView } from '../../model/view.js';
import { hashParts } from '../../shared/hash.js';
import type { GeneratedNode, Generator, Touched } from '../generator.js';
import { buildConfigSpec } from './config-spec.js';
import { createContext, createGatewayBatch, type GatewayBatch } from './context.js';
import { analyzeGateway } from './gateway-analysis.js';
import { codebaseNameOf, gatewayApiEnabled, gatewayNodeKeys, isOwnedGateway, nodeKeyOf, ownedGateways, parseNodeKey } from './gateways.js';
import { changeKeys, classKey, MESH_KEY } from './keys.js';

/** The base codebase a gateway's config is laid over (see src/pipy-base/load-base-codebase.ts). */
export interface GatewayBase {
  readonly main: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface GatewayGeneratorOptions {
  readonly base: GatewayBase;
}

/** What `generate` returns for a gateway, with the codebase name and config text for the CLI and debug output. */
export interface GeneratedGateway extends GeneratedNode {
  readonly codebaseName: string;
  /** config.json as served. */
  readonly configJson: string;
}

export interface GatewayGenerator extends Generator<GatewayBatch> {
  generate(view: ModelView, key: string, batch: GatewayBatch): GeneratedGateway;
}

const enabledIn = (obj: MeshObject | undefined): boolean | undefined => (obj?.spec as { gatewayAPI?: { enabled?: boolean } } | undefined)?.gatewayAPI?.enabled;

/** Gateways whose node set or codebase name a change may alter. */
function touchedNodes(view: ModelView, changes: readonly ModelChange[]): Set<string> {
  const out = new Set<string>();
  const namespaces = new Set<string>();
  const classes = new Set<string>();
  let all = false;
  for (const c of changes) {
    if (c.kind === GatewayKinds.Gateway) {
      const before = c.old as Gateway | undefined;
      const after = c.new as Gateway | undefined;
      const moved = !before || !after || before.spec?.gatewayClassName !== after.spec?.gatewayClassName || before.metadata.creationTimestamp !== after.metadata.creationTimestamp;
      if (moved) {
        for (const g of [before, after]) if (g) out.add(nodeKeyOf(g));
        namespaces.add((after ?? before)?.metadata.namespace ?? '');
      }
    } else if (c.kind === GatewayKinds.GatewayClass) {
      const before = c.old as GatewayClass | undefined;
      const after = c.new as GatewayClass | undefined;
      if (before?.spec?.controllerName !== after?.spec?.controllerName) classes.add((after ?? before)?.metadata.name ?? '');
    } else if (c.kind === 'MeshConfig' && enabledIn(c.old) !== enabledIn(c.new)) all = true;
  }
  if (all || namespaces.size > 0 || classes.size > 0) {
    for (const g of ownedGateways(view)) {
      if (all || namespaces.has(g.metadata.namespace ?? '') || classes.has(g.spec?.gatewayClassName ?? '')) out.add(nodeKeyOf(g));
    }
    for (const c of classes) for (const g of view.list<Gateway>(GatewayKinds.Gateway)) if (g.spec?.gatewayClassName === c) out.add(nodeKeyOf(g));
  }
  return out;
}

export function createGatewayGenerator(options: GatewayGeneratorOptions): GatewayGenerator {
  const { base } = options;
  const baseVersion = createCodebase({ main: base.main, layers: [base.files] }).version;

  const gatewayOf = (view: ModelView, key: string): Gateway | undefined => {
    const k = parseNodeKey(key);
    const gw = k ? view.get<Gateway>(GatewayKinds.Gateway, k.namespace, k.name) : undefined;
    return gw && gatewayApiEnabled(view) && isOwnedGateway(view, gw) ? gw : undefined;
  };

  return {
    name: 'gateway',
    nodes: gatewayNodeKeys,
    hasNode: (view, key) => gatewayOf(view, key) !== undefined,
    touched(view, changes): Touched {
      return { nodes: touchedNodes(view, changes), keys: changeKeys(changes) };
    },
    beginBatch: () => createGatewayBatch(),
    generate(view, key, batch) {
      const gw = gatewayOf(view, key);
      if (!gw) throw new Error(`gateway generator: ${key} is not a Gateway this controller runs`);
      const ctx = createContext(view, batch);
      ctx.deps.add(MESH_KEY);
      ctx.deps.add(classKey(gw.spec?.gatewayClassName ?? ''));
      const analysis = analyzeGateway(ctx, gw);
      const config = buildConfigSpec(ctx, analysis);
      const codebaseName = codebaseNameOf(view, gw);
      const json = config.json;
      return {
        version: hashParts([codebaseName, baseVersion, config.version]),
        dependencies: ctx.deps,
        problems: ctx.problems,
        document: config.document,
        codebaseName,
        configJson: json,
        outputs: () => ({
          codebase: createCodebaseResource(
            codebaseName,
            createCodebase({ main: base.main, layers: [base.files, new Map([['/config.json', new TextEncoder().encode(json)]])] }),
          ),
        }),
      };
    },
  };
}

/**
 * The Pipy sidecar generator: one node per proxy (keyed by its uuid), served
 * as the codebase `fsm-sidecar/<uuid>.sidecar.<sa>.<ns>` (the base scripts
 * plus `/config.json`) and as the xDS node of the same name (the config as a
 * `fsm.pipy.v1.SidecarConfig` resource, plus the proxy's extra resources:
 * its SDS secrets).
 */
import { createCodebase, createCodebaseResource } from '../../../cache/codebase.js';
import { createResource, type Resource } from '../../../cache/resource.js';
import { setVersion } from '../../../cache/snapshot.js';
import { TypeUrl } from '../../../cache/types.js';
import { Labels } from '../../model/types.js';
import type { ModelView, ProxyInfo } from '../../model/view.js';
import { contentHash, hashParts } from '../../shared/hash.js';
import { encodeFields } from '../../shared/wire.js';
import type { GeneratedNode, Generator, NodeOutputs } from '../generator.js';
import type { CertificateSource } from './certificate.js';
import { createGenCache, type GenCache, type SelectorIndexes } from './context.js';
import { changeKeys } from './dependency-keys.js';
import { generateSidecarConfig, type SidecarConfig } from './sidecar-config.js';
import { createSmiIndexCache, type SmiIndex } from './smi-access.js';

/** The codebase every sidecar's codebase derives from (the sidecar scripts). */
export interface SidecarBase {
  /** The entry file, `/main.js`. */
  readonly main: string;
  /** `/`-prefixed path to bytes. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export interface SidecarGeneratorOptions {
  /** The base scripts; without one, nodes have no codebase output (config-only use: the CLI, tests). */
  readonly base?: SidecarBase;
  readonly certificates?: CertificateSource;
  /** Trust domain for host names and principals. */
  readonly trustDomain: string;
  /** Extra xDS resources of a proxy besides its config (SDS secrets). Return the same list object while it is unchanged. */
  readonly xdsExtras?: (proxy: ProxyInfo) => readonly Resource[];
}

/**
 * A proxy's generated sidecar: the config document plus what it is served
 * as. `version` is the config's `Version`, or, when the config mounts plugin
 * scripts, a hash over it and the scripts (a changed script is a new
 * codebase even where the JSON is the same); `configVersion` is always the
 * JSON's `Version` (the xDS SidecarConfig resource's version).
 */
export interface SidecarNode extends SidecarConfig, GeneratedNode {
  readonly proxy: ProxyInfo;
  readonly configVersion: string;
}

/** The codebase name of a proxy: `fsm-sidecar/<uuid>.sidecar.<sa>.<ns>`. */
export function sidecarCodebaseName(proxy: Pick<ProxyInfo, 'cnPrefix'>): string {
  return `fsm-sidecar/${proxy.cnPrefix}`;
}

interface SidecarBatch {
  readonly smiIndex: SmiIndex;
  readonly cache: GenCache;
}

export function createSidecarGenerator(options: SidecarGeneratorOptions): Generator<SidecarBatch, SidecarNode> {
  const smiIndexes = createSmiIndexCache();
  // Per namespace service selector indexes; the store replaces a namespace's Service list on change, so they may outlive a batch.
  const selectorIndexes: SelectorIndexes = new Map();
  const base = options.base;
  const baseVersion = base ? createCodebase({ main: base.main, layers: [base.files] }).version : '';
  /** Per-type versions of each shared list of extra resources (one list per certificate, shared by its proxies). */
  const extraVersions = new WeakMap<readonly Resource[], Record<string, string>>();

  /** The xDS output, and the config's JSON bytes: a view into the resource's bytes, which the codebase serves as `/config.json` (one copy per proxy, not two). */
  const xdsOutput = (proxy: ProxyInfo, config: SidecarConfig): { xds: NonNullable<NodeOutputs['xds']>; json: Uint8Array } => {
    // fsm.pipy.v1.SidecarConfig {proxy = 1; version = 2; json = 3}, written directly rather than
    // through the generic proto3-JSON codec. The config version names its content, so it is the
    // resource version too. The JSON is the last field, so its bytes end the message.
    const bytes = encodeFields([
      [1, proxy.cnPrefix],
      [2, config.version],
      [3, config.json],
    ]);
    const json = bytes.subarray(bytes.length - Buffer.byteLength(config.json, 'utf8'));
    const configResource = createResource({ typeUrl: TypeUrl.PipySidecarConfig, name: proxy.cnPrefix, bytes, version: config.version, message: { version: config.version, json: config.json } });
    const extras = options.xdsExtras?.(proxy) ?? [];
    let versions = extraVersions.get(extras);
    if (!versions) {
      const byType: Record<string, Resource[]> = {};
      for (const r of extras) (byType[r.typeUrl] ??= []).push(r);
      versions = {};
      for (const [typeUrl, rs] of Object.entries(byType)) versions[typeUrl] = setVersion(rs);
      extraVersions.set(extras, versions);
    }
    return {
      xds: {
        nodeId: proxy.cnPrefix,
        resources: [configResource, ...extras],
        versions: { ...versions, [TypeUrl.PipySidecarConfig]: config.version },
        primaryType: TypeUrl.PipySidecarConfig,
      },
      json,
    };
  };

  /** Bytes of each plugin script, shared by the codebases that mount it (bounded: scripts are few). */
  const scriptBytes = new Map<string, Uint8Array>();
  const bytesOf = (script: string): Uint8Array => {
    let b = scriptBytes.get(script);
    if (!b) {
      if (scriptBytes.size >= 1024) scriptBytes.clear();
      scriptBytes.set(script, (b = Buffer.from(script)));
    }
    return b;
  };

  const outputs = (proxy: ProxyInfo, config: SidecarConfig, version: string): NodeOutputs => {
    const { xds, json } = xdsOutput(proxy, config);
    if (!base) return { xds };
    const overlay = new Map<string, Uint8Array>([['/config.json', json]]);
    for (const [path, script] of config.files) overlay.set(path, bytesOf(script));
    // A config's JSON is a function of its version (the controller never stamps `Ts`) and the node
    // version covers the plugin scripts, so the etag is derived from versions rather than hashed
    // over every byte; it stays content-derived, hence stable across restarts and replicas.
    const codebase = createCodebase({ main: base.main, layers: [base.files, overlay], version: hashParts([baseVersion, version]) });
    return { codebase: createCodebaseResource(sidecarCodebaseName(proxy), codebase), xds };
  };

  return {
    name: 'sidecar',
    nodes: (view) => view.proxies().map((p) => p.uuid),
    hasNode: (view, key) => view.proxyByUuid(key) !== undefined,
    touched(view, changes) {
      const nodes: string[] = [];
      // Proxies that appear, disappear or whose pod changed (a new service account renames the codebase).
      for (const c of changes) {
        for (const obj of [c.old, c.new]) {
          const uuid = obj?.kind === 'Pod' ? obj.metadata.labels?.[Labels.ProxyUUID] : undefined;
          if (uuid) nodes.push(uuid);
        }
      }
      return { nodes, keys: changeKeys(view, changes) };
    },
    beginBatch: (view) => ({ smiIndex: smiIndexes.index(view), cache: createGenCache({ selectorIndexes }) }),
    generate(view: ModelView, uuid: string, batch: SidecarBatch): SidecarNode {
      const proxy = view.proxyByUuid(uuid);
      if (!proxy) throw new Error(`sidecar generator: no proxy ${uuid}`);
      const certificate = options.certificates?.certificateFor(proxy);
      const config = generateSidecarConfig(view, proxy, {
        ...(certificate ? { certificate } : {}),
        trustDomain: options.trustDomain,
        smiIndex: batch.smiIndex,
        cache: batch.cache,
      });
      // Without plugin scripts the node version is the config version, so etags stay what they were.
      const version = config.files.size ? hashParts([config.version, ...[...config.files].flatMap(([path, script]) => [path, contentHash(script)])]) : config.version;
      return {
        proxy,
        get config() {
          return config.config;
        },
        get document() {
          return config.config;
        },
        json: config.json,
        version,
        configVersion: config.version,
        problems: config.problems,
        dependencies: config.dependencies,
        files: config.files,
        outputs: () => outputs(proxy, config, version),
      };
    },
  };
}

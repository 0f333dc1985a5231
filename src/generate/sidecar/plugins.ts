/**
 * Plugins: `Chains` (mount point → ordered module paths) from MeshConfig
 * `pluginChains` plus, with featureFlags.enablePluginPolicy, the PluginChains
 * whose namespace and pod selectors match this proxy, ordered by priority
 * (highest first). PluginConfigs attach their config to the traffic matches
 * of each destination service they name, per service: two services never
 * share one config (FSM lets the last PluginConfig win for all; we do not).
 */
import type { LabelSelector, MeshObject, Plugin, PluginChain, PluginConfig } from '../../model/types.js';
import type { GenContext } from './context.js';
import { report, sorted } from './context.js';
import { kindKey } from './dependency-keys.js';

export const MOUNT_POINTS = ['inbound-http', 'inbound-tcp', 'outbound-http', 'outbound-tcp'] as const;
export type MountPoint = (typeof MOUNT_POINTS)[number];

export interface PluginAttachments {
  /** Plugin name → config for the service's matches at this mount point; undefined when none. */
  forService(namespace: string, name: string, mount: MountPoint): Record<string, unknown> | undefined;
}

export interface PluginPlan {
  readonly chains: Record<string, string[]>;
  readonly attachments: PluginAttachments;
  /** Names what `attachments` answers (the plugins mounted per mount point): equal keys, equal attachments within a batch. */
  readonly key: string;
  /** The scripts of the mounted plugins, as the codebase must serve them: `/plugins/<name>.js` → PipyJS source. */
  readonly files: ReadonlyMap<string, string>;
}

const NO_FILES: ReadonlyMap<string, string> = new Map();

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    const inValues = val !== undefined && (e.values ?? []).includes(val);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function planPlugins(ctx: GenContext): PluginPlan {
  const entries = new Map<string, { path: string; priority: number }[]>();
  for (const mount of MOUNT_POINTS) {
    entries.set(mount, (ctx.mesh.pluginChains[mount] ?? []).filter((e) => !e.disable).map((e) => ({ path: `modules/${e.plugin}.js`, priority: e.priority })));
  }
  const perMount = new Map<MountPoint, Set<string>>(MOUNT_POINTS.map((m) => [m, new Set()]));
  const configs = new Map<string, Record<string, unknown>>();
  const files = new Map<string, string>();
  if (ctx.mesh.flags.enablePluginPolicy) {
    for (const k of ['Plugin', 'PluginChain', 'PluginConfig', 'Namespace']) ctx.deps.add(kindKey(k));
    const nsLabels = ctx.view.get<MeshObject>('Namespace', undefined, ctx.proxy.namespace)?.metadata.labels ?? {};
    const podLabels = ctx.proxy.pod.metadata.labels ?? {};
    const plugins = new Map(ctx.view.list<Plugin>('Plugin').map((p) => [p.metadata.name, p]));
    for (const chain of sorted(ctx.view.list<PluginChain>('PluginChain'), (c) => `${c.metadata.namespace}/${c.metadata.name}`)) {
      const sel = chain.spec?.selectors;
      if (!selects(sel?.namespaceSelector, nsLabels) || !selects(sel?.podSelector, podLabels)) continue;
      for (const c of chain.spec?.chains ?? []) {
        const list = entries.get(c.name);
        const mounted = perMount.get(c.name as MountPoint);
        if (!list || !mounted) continue;
        for (const name of c.plugins) {
          const plugin = plugins.get(name);
          if (!plugin) {
            report(ctx, chain, `plugin ${name} not found`, { field: 'spec.chains' });
            continue;
          }
          if (mounted.has(name)) continue;
          mounted.add(name);
          list.push({ path: `plugins/${name}.js`, priority: plugin.spec?.priority ?? 0 });
          // Pipy fails the whole load on a listed file that is not served.
          files.set(`/plugins/${name}.js`, plugin.spec?.pipyscript ?? '');
        }
      }
    }
    for (const pc of sorted(ctx.view.list<PluginConfig>('PluginConfig'), (c) => `${c.metadata.namespace}/${c.metadata.name}`)) {
      const plugin = pc.spec?.plugin;
      if (!plugin) continue;
      for (const ref of pc.spec?.destinationRefs ?? []) {
        if (ref.kind !== 'Service') continue;
        const key = `${ref.namespace || pc.metadata.namespace}/${ref.name}\u0000${plugin}`;
        if (configs.has(key)) {
          report(ctx, pc, `plugin ${plugin} already configured for service ${ref.namespace}/${ref.name} by an earlier PluginConfig; ignored`, { field: 'spec.destinationRefs' });
          continue;
        }
        configs.set(key, { config: pc.spec?.config ?? null });
      }
    }
  }
  const chains: Record<string, string[]> = {};
  for (const [mount, list] of entries) {
    chains[mount] = [...list].sort((a, b) => b.priority - a.priority || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => e.path);
  }
  return {
    chains,
    files: files.size ? new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : NO_FILES,
    key: [...perMount].map(([mount, names]) => `${mount}=${[...names].sort().join(',')}`).join(';'),
    attachments: {
      forService(namespace, name, mount) {
        const mounted = perMount.get(mount);
        if (!mounted || mounted.size === 0) return undefined;
        const out: Record<string, unknown> = {};
        for (const plugin of [...mounted].sort()) {
          const hit = configs.get(`${namespace}/${name}\u0000${plugin}`);
          if (hit) out[plugin] = hit.config;
        }
        return Object.keys(out).length > 0 ? out : undefined;
      },
    },
  };
}

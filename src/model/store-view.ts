/**
 * The model store's read side: ModelView answered from the object table and
 * its indexes, showing only what namespace visibility allows. Answers are
 * sorted (generators' output must not depend on arrival order) and shared:
 * callers must not mutate them.
 */
import type { ModelIndexes } from './indexes.js';
import { kindInfo } from './kinds/kind-list.js';
import { endpointsToSlices } from './legacy-endpoints.js';
import type { MeshConfigView } from './mesh-config.js';
import type { NamespaceVisibility } from './namespace-visibility.js';
import type { ObjectTable } from './object-table.js';
import { matchesServiceSelector } from './selectors.js';
import { Labels, type EndpointSlice, type Endpoints, type MeshObject, type Pod, type Service } from './types.js';
import type { ModelView, ProxyInfo } from './view.js';

export interface StoreView extends ModelView {
  /** Pods or namespace visibility changed: the proxy list is recomputed on next read. */
  invalidateProxies(): void;
}

export interface StoreViewDeps {
  readonly table: ObjectTable;
  readonly indexes: ModelIndexes;
  readonly visibility: NamespaceVisibility;
  readonly meshConfig: () => MeshConfigView;
}

function proxyInfo(pod: Pod): ProxyInfo {
  const uuid = pod.metadata.labels?.[Labels.ProxyUUID] ?? '';
  const ns = pod.metadata.namespace ?? '';
  const sa = pod.spec?.serviceAccountName || 'default';
  return { uuid, namespace: ns, podName: pod.metadata.name, serviceAccount: sa, identity: `${sa}.${ns}`, cnPrefix: `${uuid}.sidecar.${sa}.${ns}`, pod };
}

const byName = (a: MeshObject, b: MeshObject) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
const byNsName = (a: MeshObject, b: MeshObject) => {
  const na = a.metadata.namespace ?? '';
  const nb = b.metadata.namespace ?? '';
  return na < nb ? -1 : na > nb ? 1 : byName(a, b);
};

export function createStoreView(d: StoreViewDeps): StoreView {
  const { table, indexes: idx, visibility } = d;
  let proxyCache: readonly ProxyInfo[] | undefined;

  function listKind<T extends MeshObject>(kind: string, namespace?: string): readonly T[] {
    if (namespace !== undefined) {
      const ns = kindInfo(kind)?.namespaced === false ? '' : namespace;
      return visibility.observed(kind, ns) ? (table.sorted(kind, ns) as readonly T[]) : [];
    }
    // Across namespaces: the mesh's namespaces (the fsm namespace's Services are not mesh services).
    const everywhere = kindInfo(kind)?.anyNamespace === true;
    const namespaces = [...table.namespacesOf(kind)].filter((ns) => visibility.isMonitored(ns) || ns === '' || everywhere).sort();
    if (namespaces.length === 1) return table.sorted(kind, namespaces[0] as string) as readonly T[];
    const out: T[] = [];
    for (const ns of namespaces) out.push(...(table.sorted(kind, ns) as readonly T[]));
    return out;
  }

  return {
    get meshConfig() {
      return d.meshConfig();
    },
    get<T extends MeshObject = MeshObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
      const ns = kindInfo(kind)?.namespaced === false ? '' : namespace || 'default';
      return visibility.observed(kind, ns) ? (table.get(kind, ns, name) as T | undefined) : undefined;
    },
    list: listKind,
    namespaces: () => visibility.namespaces(),
    proxies() {
      proxyCache ??= [...idx.proxyUuids()].sort().map((u) => proxyInfo(idx.proxyPod(u) as Pod));
      return proxyCache;
    },
    proxyByUuid(uuid) {
      const pod = idx.proxyPod(uuid);
      return pod ? proxyInfo(pod) : undefined;
    },
    podsByServiceAccount(namespace, serviceAccount) {
      return [...idx.podsBySa(namespace, serviceAccount)].sort(byName);
    },
    servicesForPod(pod) {
      const ns = pod.metadata.namespace ?? '';
      return listKind<Service>('Service', ns).filter((s) => matchesServiceSelector(s.spec?.selector, pod.metadata.labels));
    },
    podsForService(service) {
      const ns = service.metadata.namespace ?? '';
      const selector = service.spec?.selector;
      if (!selector || Object.keys(selector).length === 0 || !visibility.observed('Pod', ns)) return [];
      let smallest: ReadonlySet<string> | undefined;
      for (const [k, v] of Object.entries(selector)) {
        // The uuid label is not in the label index (it is unique per pod); the proxy map answers it.
        const proxy = k === Labels.ProxyUUID ? idx.proxyPod(v) : undefined;
        const b = k === Labels.ProxyUUID ? (proxy && proxy.metadata.namespace === ns ? new Set([proxy.metadata.name]) : undefined) : idx.podsByLabel(ns, k, v);
        if (!b) return [];
        if (!smallest || b.size < smallest.size) smallest = b;
      }
      const out: Pod[] = [];
      for (const name of smallest ?? []) {
        const p = table.get('Pod', ns, name);
        if (p && matchesServiceSelector(selector, p.metadata.labels)) out.push(p as Pod);
      }
      return out.sort(byName);
    },
    endpointSlicesForService(namespace, service) {
      const out: EndpointSlice[] = [];
      for (const o of idx.endpointSlices(namespace, service)) {
        if (o.kind === 'Endpoints') out.push(...endpointsToSlices(o as Endpoints));
        else out.push(o as EndpointSlice);
      }
      return out.sort(byName);
    },
    policiesFor<T extends MeshObject = MeshObject>(kind: string, target: { service?: string; identity?: string }): readonly T[] {
      return ([...idx.policies(kind, target)] as T[]).sort(byNsName);
    },
    invalidateProxies() {
      proxyCache = undefined;
    },
  };
}

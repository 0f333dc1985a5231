/**
 * Which namespaces the mesh monitors, and so which objects the view shows.
 * A namespace is monitored when its Namespace object carries
 * `flomesh.io/monitored-by=<mesh>` (and no ignore label). A namespace without
 * a Namespace object is monitored while it holds a registry-sourced Service
 * (labelled fsm-connector-cloud-sourced-service): registry sources place
 * their services in a namespace that may exist nowhere else. Some objects are
 * seen whatever the monitoring (see `observedRegardless`).
 */
import { kindInfo } from './kinds/kind-list.js';
import { MESH_CONFIG_KIND } from './mesh-config.js';
import { Labels, type MeshObject } from './types.js';

/** Kinds of the fsm namespace the model reads though the namespace is not part of the mesh. */
const CONTROL_PLANE_KINDS = new Set([MESH_CONFIG_KIND, 'MeshRootCertificate', 'Service', 'EndpointSlice', 'Endpoints']);

export interface NamespaceVisibility {
  /** Whether objects of `kind` in `ns` are in the view. */
  observed(kind: string, ns: string): boolean;
  /**
   * Objects seen whatever the namespace's monitoring: cluster-scoped ones;
   * the control plane's own kinds in the fsm namespace (MeshConfig,
   * MeshRootCertificate) and the Services behind its egress gateway there;
   * kinds marked anyNamespace (EgressGateways, as FSM lists them
   * cluster-wide; connectors, as FSM's connector controller watches them).
   */
  observedRegardless(kind: string, ns: string): boolean;
  isMonitored(ns: string): boolean;
  /** The monitored namespaces, sorted. */
  namespaces(): readonly string[];
  /**
   * Follows an accepted change of a Namespace or Service; returns the
   * namespace whose monitoring flipped (its objects enter or leave the view),
   * if any.
   */
  follow(kind: string, ns: string, name: string, before: MeshObject | undefined, after: MeshObject | undefined): { namespace: string; monitored: boolean } | undefined;
}

export function createNamespaceVisibility(o: { meshName: string; fsmNamespace: string }): NamespaceVisibility {
  const monitored = new Set<string>();
  const namespaceObjects = new Map<string, MeshObject>();
  const registryServices = new Map<string, number>();
  let sorted: readonly string[] | undefined;

  const isMonitoredNamespace = (nsObj: MeshObject): boolean => {
    const labels = nsObj.metadata.labels;
    return !!labels && labels[Labels.MonitoredBy] === o.meshName && labels[Labels.Ignore] === undefined;
  };
  const isRegistryService = (obj: MeshObject | undefined): boolean => obj?.kind === 'Service' && obj.metadata.labels?.[Labels.CloudSourcedService] === 'true';
  const shouldMonitor = (ns: string): boolean => {
    const nsObj = namespaceObjects.get(ns);
    return nsObj ? isMonitoredNamespace(nsObj) : (registryServices.get(ns) ?? 0) > 0;
  };
  const observedRegardless = (kind: string, ns: string): boolean =>
    ns === '' || kindInfo(kind)?.anyNamespace === true || (ns === o.fsmNamespace && CONTROL_PLANE_KINDS.has(kind));

  return {
    observed: (kind, ns) => monitored.has(ns) || observedRegardless(kind, ns),
    observedRegardless,
    isMonitored: (ns) => monitored.has(ns),
    namespaces() {
      sorted ??= [...monitored].sort();
      return sorted;
    },
    follow(kind, ns, name, before, after) {
      let scope: string | undefined;
      if (kind === 'Namespace') {
        if (after) namespaceObjects.set(name, after);
        else namespaceObjects.delete(name);
        scope = name;
      } else if (kind === 'Service') {
        const delta = (isRegistryService(after) ? 1 : 0) - (isRegistryService(before) ? 1 : 0);
        if (delta === 0) return undefined;
        const n = (registryServices.get(ns) ?? 0) + delta;
        if (n > 0) registryServices.set(ns, n);
        else registryServices.delete(ns);
        scope = ns;
      }
      if (scope === undefined) return undefined;
      const now = shouldMonitor(scope);
      if (now === monitored.has(scope)) return undefined;
      if (now) monitored.add(scope);
      else monitored.delete(scope);
      sorted = undefined;
      return { namespace: scope, monitored: now };
    },
  };
}

import type {
  EndpointSlice,
  MeshObject,
  ObjectKey,
  Pod,
  Service,
} from './types.js';
import type { MeshConfigView } from './mesh-config.js';

/** A meshed proxy: a Pod labelled `fsm-proxy-uuid`. */
export interface ProxyInfo {
  readonly uuid: string;
  readonly namespace: string;
  readonly podName: string;
  /** The pod's service account ("default" when unset). */
  readonly serviceAccount: string;
  /** `<sa>.<ns>` */
  readonly identity: string;
  /** `<uuid>.sidecar.<sa>.<ns>`: the Pipy codebase name and the xDS node id. */
  readonly cnPrefix: string;
  readonly pod: Pod;
}

/** A change of one object: `old` absent for an add, `new` absent for a delete. */
export interface ModelChange {
  readonly kind: string;
  readonly key: ObjectKey;
  readonly old?: MeshObject;
  readonly new?: MeshObject;
}

/**
 * The read-only view generators use. Every method is a pure read of the
 * current state; returned objects must not be mutated. Lists are returned in
 * a deterministic order (by namespace, then name).
 */
export interface ModelView {
  /** The effective MeshConfig (defaults merged with the stored object). */
  readonly meshConfig: MeshConfigView;
  get<T extends MeshObject = MeshObject>(kind: string, namespace: string | undefined, name: string): T | undefined;
  list<T extends MeshObject = MeshObject>(kind: string, namespace?: string): readonly T[];
  /** Meshed namespaces (monitored, not ignored). */
  namespaces(): readonly string[];
  /** Every proxy, by uuid order. */
  proxies(): readonly ProxyInfo[];
  proxyByUuid(uuid: string): ProxyInfo | undefined;
  /** Pods running as `<sa>` in `<ns>`. */
  podsByServiceAccount(namespace: string, serviceAccount: string): readonly Pod[];
  /** Services in the pod's namespace whose selector matches the pod's labels. */
  servicesForPod(pod: Pod): readonly Service[];
  /** Pods selected by the service. */
  podsForService(service: Service): readonly Pod[];
  /** EndpointSlices labelled `kubernetes.io/service-name=<svc>` (and legacy Endpoints converted to slices). */
  endpointSlicesForService(namespace: string, service: string): readonly EndpointSlice[];
  /** Policies of `kind` whose target names the given service (`ns/name`) or identity (`sa.ns`). */
  policiesFor<T extends MeshObject = MeshObject>(kind: string, target: { service?: string; identity?: string }): readonly T[];
}

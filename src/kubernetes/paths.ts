/**
 * REST paths of Kubernetes resources: `/api/v1/...` for the core group,
 * `/apis/<group>/<version>/...` otherwise.
 */

/** A resource type as the REST API names it. */
export interface ResourceType {
  /** `v1`, `coordination.k8s.io/v1`, ... */
  readonly apiVersion: string;
  /** Lower-case plural: `pods`, `leases`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/**
 * The path of a collection (no `name`) or of one object. `namespace` is used
 * only for namespaced types; left out there, the collection spans every
 * namespace.
 */
export function resourcePath(type: ResourceType, where: { namespace?: string | undefined; name?: string | undefined; subresource?: string } = {}): string {
  const base = type.apiVersion.includes('/') ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
  const ns = type.namespaced && where.namespace ? `/namespaces/${encodeURIComponent(where.namespace)}` : '';
  const name = where.name !== undefined ? `/${encodeURIComponent(where.name)}` : '';
  const sub = where.name !== undefined && where.subresource ? `/${where.subresource}` : '';
  return `${base}${ns}/${type.plural}${name}${sub}`;
}

/** The resource types the controller writes. */
export const Resources = {
  secrets: { apiVersion: 'v1', plural: 'secrets', namespaced: true },
  pods: { apiVersion: 'v1', plural: 'pods', namespaced: true },
  services: { apiVersion: 'v1', plural: 'services', namespaced: true },
  deployments: { apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  namespaces: { apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  leases: { apiVersion: 'coordination.k8s.io/v1', plural: 'leases', namespaced: true },
  mutatingWebhookConfigurations: { apiVersion: 'admissionregistration.k8s.io/v1', plural: 'mutatingwebhookconfigurations', namespaced: false },
  certificateRequests: { apiVersion: 'cert-manager.io/v1', plural: 'certificaterequests', namespaced: true },
} as const satisfies Record<string, ResourceType>;

/** The fields of ObjectMeta this project reads and writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A list answer: `items` and the collection's resourceVersion and continue token. */
export interface ObjectList<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

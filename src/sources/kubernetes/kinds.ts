import { resourcePath } from '../../kubernetes/paths.js';
import { KINDS } from '../../model/kinds/kind-list.js';
import type { KindInfo } from '../../model/types.js';

/**
 * A kind the Kubernetes source lists and watches. `namespace`, `labelSelector`
 * and `fieldSelector` narrow what is watched (for example Secrets of one
 * namespace); left out, every object of the kind in the cluster is watched.
 */
export interface KubernetesKind extends KindInfo {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * Every kind the mesh reads: the model's kind list (one source of truth).
 * Core and discovery kinds always exist; the CRD kinds may be missing from a
 * cluster, which the source reports as "unavailable" without blocking the
 * others.
 */
export const defaultKubernetesKinds: readonly KubernetesKind[] = KINDS;

/**
 * The collection path of a kind: `/api/v1/pods`, `/apis/<group>/<version>/...`,
 * with `/namespaces/<ns>` when the kind is namespaced and a namespace is set.
 */
export function collectionPath(k: KubernetesKind): string {
  return resourcePath(k, { namespace: k.namespace });
}

/** A stable name for a kind in problems, logs and status: `<apiVersion>/<Kind>`. */
export function kindId(k: KindInfo): string {
  return `${k.apiVersion}/${k.apiKind ?? k.kind}`;
}

/**
 * How fsm-control-plane marks what it registers into a registry, and how a
 * registry source recognises those registrations so that they are never
 * read back into the mesh (loop prevention). The metadata keys are FSM's
 * (pkg/connector/annotation.go): Consul does not allow dots in metadata
 * keys, so there FSM writes them with underscores, and so do we.
 */
import { Labels } from '../../model/types.js';

/** FSM's default cluster set: MeshConfig clusterSet `name.group.zone.region` with its defaults. */
export const DEFAULT_CLUSTER_SET = 'local.default.default.default';

export const OriginKeys = {
  /** The cluster set that registered the instance (FSM's ClusterSetKey). */
  clusterSet: 'fsm.connector.service.cluster.set',
  /** Who registered it (FSM's ConnectUIDKey; FSM writes the connector's UID). */
  connectorUid: 'fsm.connector.service.connector.uid',
  /** The Kubernetes namespace of the mesh service (FSM's CloudK8SNS). */
  kubernetesNamespace: 'fsm.connector.service.k8s.ns',
} as const;

/** A metadata key as Consul stores it (`fsm_connector_service_cluster_set`). */
export function consulMetaKey(key: string): string {
  return key.replaceAll('.', '_');
}

/** True when the instance was registered by this cluster set, in either key spelling. */
export function isOwnRegistration(metadata: Readonly<Record<string, string>>, clusterSet: string): boolean {
  return metadata[OriginKeys.clusterSet] === clusterSet || metadata[consulMetaKey(OriginKeys.clusterSet)] === clusterSet;
}

/** Labels and annotations FSM puts on services that came from a registry (pkg/connector, pkg/constants). */
export const CloudLabels = {
  /** Label `"true"` on every registry-sourced Service (FSM's CloudSourcedServiceLabel). */
  cloudSourced: Labels.CloudSourcedService,
  /** Annotation: the provider (`consul`, `eureka`, …). */
  meshServiceSync: 'flomesh.io/mesh-service-sync',
  /** Annotation: who manages the Service (FSM: the connector UID; here the source name). */
  managedBy: 'flomesh.io/mesh-service-sync-managed-by',
  /** Annotation: the service's name in the registry, before mapping to a Kubernetes name. */
  inheritedFrom: 'flomesh.io/cloud-service-inherited-from',
  /** Annotation on a mesh Service: `"true"`/`"false"` to opt in or out of registration into registries. */
  syncToCloud: 'flomesh.io/service-sync-k8s-to-cloud',
  /** Annotation on a mesh Service: the name to register it under. */
  serviceName: 'flomesh.io/service-name',
  /** Annotation on a mesh Service: the port (name or number) to register. */
  servicePort: 'flomesh.io/service-port',
  /** Annotation on a mesh Service: comma-separated tags to register with. */
  serviceTags: 'flomesh.io/service-tags',
  /** Annotation prefix on a mesh Service: `flomesh.io/service-meta-<key>: <value>` metadata to register with. */
  serviceMetaPrefix: 'flomesh.io/service-meta-',
} as const;

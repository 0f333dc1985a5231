/**
 * Every kind's definition, by kind name, in the order of kind-list.ts.
 */
import * as connector from './connector.js';
import * as core from './core.js';
import type { KindDefinition } from './definition.js';
import { KINDS } from './kind-list.js';
import { meshConfig } from './mesh-config.js';
import { meshRootCertificate } from './mesh-root-certificate.js';
import * as pm from './plugin-multicluster.js';
import * as policy from './policy.js';
import * as smi from './smi.js';

const DEFINITIONS: readonly KindDefinition[] = [
  core.namespace,
  core.service,
  core.endpointSlice,
  core.endpoints,
  core.pod,
  core.serviceAccount,
  core.secret,
  meshConfig,
  meshRootCertificate,
  smi.trafficTarget,
  smi.httpRouteGroup,
  smi.tcpRoute,
  smi.udpRoute,
  smi.trafficSplit,
  policy.egress,
  policy.egressGateway,
  policy.ingressBackend,
  policy.accessControl,
  policy.retry,
  policy.upstreamTrafficSetting,
  policy.isolation,
  policy.trafficWarmup,
  pm.plugin,
  pm.pluginChain,
  pm.pluginConfig,
  pm.serviceImport,
  pm.serviceExport,
  pm.globalTrafficPolicy,
  connector.consulConnector,
  connector.eurekaConnector,
  connector.nacosConnector,
  connector.zookeeperConnector,
];

const BY_KIND = new Map(DEFINITIONS.map((d) => [d.kind, d]));

for (const k of KINDS) if (!BY_KIND.has(k.kind)) throw new Error(`kind ${k.kind} has no definition`);

export function kindDefinition(kind: string): KindDefinition | undefined {
  return BY_KIND.get(kind);
}

/** Kinds whose CRDs this project ships (everything outside the core API groups). */
export function crdKinds(): { info: (typeof KINDS)[number]; definition: KindDefinition }[] {
  return KINDS.filter((k) => k.apiVersion.includes('.') && !k.apiVersion.startsWith('discovery.k8s.io')).map((info) => ({
    info,
    definition: BY_KIND.get(info.kind) as KindDefinition,
  }));
}

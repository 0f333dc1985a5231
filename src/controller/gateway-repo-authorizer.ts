/**
 * Repo TLS for gateways: which client certificate may read which gateway
 * codebase. A gateway's Pipy presents the certificate of its namespace's
 * gateways, CN `fsm-gateway.<namespace>.<trustDomain>`, and may read that
 * namespace's gateway codebases (`local/gw/<namespace>`,
 * `local/gws/<namespace>/<name>`) and nothing else; any other codebase is
 * left to the sidecar authorizer (a proxy reads only its own).
 */
import type { RepoAuthorizer } from '../../server/pipy-repo/types.js';
import { workloadCommonName, type WorkloadRef } from '../certificate/identity.js';
import { NAMED_CODEBASE_PREFIX, NAMESPACE_CODEBASE_PREFIX } from '../generate/gateway/gateways.js';

/**
 * The certificate manager's identity of a namespace's gateways (a workload
 * identity with service account `fsm-gateway`): issued as a workload
 * certificate, its CN is gatewayCommonName.
 */
export const gatewayIdentity = (namespace: string): WorkloadRef => ({ serviceAccount: 'fsm-gateway', namespace });

/** The CN of the certificate the gateways of a namespace present. */
export const gatewayCommonName = (namespace: string, trustDomain: string): string => workloadCommonName(gatewayIdentity(namespace), trustDomain);

/** The namespace of a gateway codebase name, or undefined for any other codebase. */
function gatewayNamespace(codebaseName: string): string | undefined {
  for (const prefix of [NAMESPACE_CODEBASE_PREFIX, NAMED_CODEBASE_PREFIX]) {
    if (codebaseName.startsWith(prefix)) {
      const ns = codebaseName.slice(prefix.length).split('/')[0];
      return ns ? ns : undefined;
    }
  }
  return undefined;
}

export function createGatewayRepoAuthorizer(options: { trustDomain: string; sidecars: RepoAuthorizer }): RepoAuthorizer {
  return (peer, codebaseName) => {
    const ns = gatewayNamespace(codebaseName);
    if (ns === undefined) return options.sidecars(peer, codebaseName);
    const cn = peer.subject?.CN;
    if (cn === gatewayCommonName(ns, options.trustDomain)) return true;
    return new Error(`certificate ${typeof cn === 'string' ? cn : '(no CN)'} may not read gateway codebase ${codebaseName}`);
  };
}

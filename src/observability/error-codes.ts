/**
 * FSM's error-code table as FSM documents it (FSM docs §8.2 "Error Codes",
 * the table `fsm support error-info` prints; the numbering inherited from
 * OSM), with descriptions written for this project. Log lines and model
 * errors carry these codes; `fsm_error_err_code_count{err_code}` counts them;
 * `fsm-controller error-info` prints them.
 *
 * FSM's current source (pkg/errcode) numbers some codes differently: it
 * inserted constants after E1002, so its E1003..E1009 are not the documented
 * ones, and it has no E5028..E5030. This table follows the documentation.
 * The 8000 range (service registries) is this project's own: FSM has no
 * codes there.
 */

export interface ErrorCodeInfo {
  readonly code: string;
  /**
   * FSM's constant name for the meaning, for cross-reference with FSM's source;
   * empty for codes that only FSM's documentation lists (E5028..E5030).
   */
  readonly name: string;
  readonly description: string;
}

const e = (code: number, name: string, description: string): ErrorCodeInfo => ({ code: `E${code}`, name, description });

export const ERROR_CODES: readonly ErrorCodeInfo[] = [
  // 1000-1050: startup and bootstrap
  e(1000, 'ErrInvalidCLIArgument', 'A command-line argument passed to the program is invalid.'),
  e(1001, 'ErrSettingLogLevel', 'The requested log level could not be applied.'),
  e(1002, 'ErrFetchingControllerPod', 'The fsm-controller Pod could not be read from the Kubernetes API.'),
  e(1003, 'ErrFetchingInjectorPod', 'The fsm-injector Pod could not be read from the Kubernetes API.'),
  e(1004, 'ErrStartingIngressClient', 'The client that watches Ingress resources for fsm-controller did not start.'),
  e(1005, 'ErrStartingReconciler', "The reconciler that guards FSM's CRDs and mutating webhook did not start."),
  // 2000-2500: traffic policies
  e(2000, 'ErrDedupEgressTrafficMatches', 'Egress traffic matches (port, protocol, destination addresses) could not be deduplicated; the egress policies involved may conflict and were not applied.'),
  e(2001, 'ErrDedupEgressClusterConfigs', 'Upstream clusters of an egress destination could not be deduplicated; the egress policies involved may conflict and were not applied.'),
  e(2002, 'ErrInvalidEgressIPRange', 'An IP range is not in CIDR notation (an address and a prefix length such as "192.0.2.0/24", RFC 4632); the range was ignored.'),
  e(2003, 'ErrInvalidEgressMatches', 'A match in an egress policy is invalid; it was ignored when applying the policy.'),
  e(2004, 'ErrEgressSMIHTTPRouteGroupNotFound', 'The SMI HTTPRouteGroup named as a match by an egress policy does not exist in the namespace of the policy.'),
  e(2005, 'ErrFetchingSMIHTTPRouteGroupForTrafficTarget', 'An SMI HTTPRouteGroup named as a match by an SMI TrafficTarget could not be found in the namespace of the TrafficTarget; the TrafficTarget was ignored.'),
  e(2006, 'ErrSMIHTTPRouteGroupNoMatch', 'An SMI HTTPRouteGroup has no matches and was ignored.'),
  e(2007, 'ErrMultipleSMISplitPerServiceUnsupported', 'More than one SMI TrafficSplit names the same apex service; only one split per service is supported and the others were ignored.'),
  e(2008, 'ErrAddingRouteToOutboundTrafficPolicy', 'A route could not be added to an outbound traffic policy; the route was ignored.'),
  e(2009, 'ErrGettingInboundTrafficTargets', 'The inbound traffic targets (with their routes) of a destination identity could not be built.'),
  e(2010, 'ErrInvalidDestinationKind', 'An SMI TrafficTarget has a destination kind other than ServiceAccount.'),
  e(2011, 'ErrInvalidSourceKind', 'An SMI TrafficTarget has a source kind other than ServiceAccount.'),
  // 3000-3500: Kubernetes objects
  e(3000, 'ErrEndpointsNotFound', 'No endpoints were found for a service when its name was resolved.'),
  e(3001, 'ErrMarshallingKubernetesResource', 'A Kubernetes object could not be serialised.'),
  e(3002, 'ErrUnmarshallingKubernetesResource', 'A Kubernetes object could not be deserialised.'),
  // 4000-4100: certificate providers
  e(4000, 'ErrFetchingCertSecret', 'The Secret holding a certificate could not be read.'),
  e(4001, 'ErrObtainingCertFromSecret', "The certificate could not be found under its key in the Secret's data."),
  e(4002, 'ErrObtainingPrivateKeyFromSecret', "The certificate's private key could not be found under its key in the Secret's data."),
  e(4003, 'ErrObtainingCertExpirationFromSecret', "The certificate's expiration could not be found under its key in the Secret's data."),
  e(4004, 'ErrParsingCertExpiration', "The certificate expiration read from the Secret's data could not be parsed."),
  e(4005, 'ErrCreatingCertSecret', 'The Secret that should hold a certificate could not be created.'),
  e(4006, 'ErrGeneratingPrivateKey', 'A private key could not be generated.'),
  e(4007, 'ErrEncodingKeyDERtoPEM', 'A private key could not be converted from DER to PEM.'),
  e(4008, 'ErrCreatingCertReq', 'The certificate request for issuing a certificate could not be created.'),
  e(4009, 'ErrCreatingRootCert', 'The root certificate of a new certificate authority could not be obtained.'),
  e(4010, 'ErrEncodingCertDERtoPEM', 'A certificate could not be converted from DER to PEM.'),
  e(4011, 'ErrDecodingPEMCert', 'A PEM certificate could not be decoded.'),
  e(4012, 'ErrDecodingPEMPrivateKey', "The PEM private key of the certificate authority's root certificate could not be decoded."),
  e(4013, 'ErrIssuingCert', 'The certificate manager failed to issue a certificate (unspecified cause).'),
  e(4014, 'ErrCreatingCert', 'The certificate manager failed to create a certificate to issue.'),
  e(4015, 'ErrInvalidCA', 'The certificate authority supplied for issuing a certificate is invalid.'),
  e(4016, 'ErrRotatingCert', 'A certificate could not be rotated.'),
  // 4100-4150: pub/sub
  e(4100, 'ErrPubSubMessageFormat', 'An object could not be turned into a pub/sub message.'),
  // 4150-4200: config.flomesh.io
  e(4150, 'ErrConfigInformerInitCache', 'The initial cache sync of the config.flomesh.io informers failed.'),
  e(4151, 'ErrMeshConfigStructCasting', 'An object could not be read as a MeshConfig.'),
  e(4152, 'ErrMeshConfigFetchFromCache', 'The MeshConfig could not be fetched from the cache under its key.'),
  e(4153, 'ErrMeshConfigMarshaling', 'The MeshConfig could not be serialised into another format.'),
  // 5000-5500: proxy control plane
  e(5000, 'ErrMarshallingXDSResource', 'An xDS resource could not be serialised.'),
  e(5001, 'ErrParsingXDSCertCN', 'The common name of a proxy certificate could not be parsed; it must read <proxy-UUID>.<kind>.<proxy-identity>.'),
  e(5002, 'ErrFetchingPodFromCert', 'No pod carries the fsm-proxy-uuid label value found in a proxy certificate, so the pod of that proxy is unknown.'),
  e(5003, 'ErrPodBelongsToMultipleServices', 'A meshed pod belongs to more than one service; by FSM convention a pod belongs to one service, and the proxy was left out of the mesh.'),
  e(5004, 'ErrGettingProxyFromPod', "The proxy record could not be built from a pod's fsm-proxy-uuid label."),
  e(5005, 'ErrGRPCConnectionFailed', 'A gRPC connection failed and the discovery server can no longer receive requests on it.'),
  e(5006, 'ErrSendingDiscoveryResponse', 'A discovery response could not be sent to a proxy.'),
  e(5007, 'ErrGeneratingReqResource', 'The resources of a discovery response could not be generated.'),
  e(5008, 'ErrRecordingSnapshot', 'The resources generated for a discovery response could not be stored as a new snapshot in the cache.'),
  e(5009, 'ErrStartingADSServer', 'The aggregated discovery server did not start.'),
  e(5010, 'ErrMismatchedServiceAccount', 'The service account in the node id differs from the one in the proxy certificate; the proxy was refused.'),
  e(5011, 'ErrGRPCStreamClosedByProxy', 'The proxy closed its gRPC stream; no further requests are received on it.'),
  e(5012, 'ErrUnexpectedXDSRequest', 'The proxy has not finished its initial requests, so a broadcast update was not pushed to it.'),
  e(5013, 'ErrInvalidXDSTypeURI', 'A discovery request names an invalid resource type URL.'),
  e(5014, 'ErrParsingDiscoveryReqVersion', 'The version in a discovery request could not be parsed.'),
  e(5015, 'ErrGettingOrgDstEgressCluster', 'An egress cluster routing to the original destination (no host given) could not be built.'),
  e(5016, 'ErrGettingDNSEgressCluster', 'An egress cluster routing to a host resolved by DNS could not be built.'),
  e(5017, 'ErrObtainingUpstreamServiceCluster', 'The cluster of an upstream service could not be built.'),
  e(5018, 'ErrFetchingServiceList', 'The meshed services of a proxy could not be listed.'),
  e(5019, 'ErrDuplicateClusters', 'Several clusters with the same name were built; the duplicates are not sent.'),
  e(5020, 'ErrUnsupportedProtocolForService', 'The application protocol of a port is not supported for ingress; no ingress filter chain was built for it.'),
  e(5021, 'ErrIngressFilterChain', 'An ingress filter chain could not be built.'),
  e(5022, 'ErrBuildingRBACPolicyForRoute', 'A traffic policy rule could not be turned into an RBAC rule on the proxy; the rule was ignored.'),
  e(5023, 'ErrUnmarshallingSDSCert', 'A secret-discovery certificate resource could not be deserialised and was ignored.'),
  e(5024, 'ErrGettingServiceCertSecret', 'A secret holding a TLS certificate could not be served; the request was ignored.'),
  e(5025, 'ErrGettingMeshService', 'A requested secret does not correspond to a mesh service.'),
  e(5026, 'ErrGettingK8sServiceAccount', 'A requested secret does not correspond to a service account.'),
  e(5027, 'ErrSDSCertMismatch', 'The identity of a requested certificate differs from the identity of the proxy; the request was ignored.'),
  // E5028..E5030 repeat the meanings of E5025..E5027 in FSM's documented table.
  e(5028, '', 'A requested secret does not correspond to a mesh service.'),
  e(5029, '', 'A requested secret does not correspond to a service account.'),
  e(5030, '', 'The identity of a requested certificate differs from the identity of the proxy; the request was ignored.'),
  // 6100-6500: sidecar injector
  e(6100, 'ErrMarshallingProtoToYAML', 'A protobuf message could not be converted to YAML.'),
  e(6101, 'ErrParsingMutatingWebhookCert', 'The mutating webhook certificate could not be parsed; the webhook server was not started.'),
  e(6102, 'ErrStartingInjectionWebhookHTTPServer', 'The sidecar injection webhook HTTP server did not start.'),
  e(6103, 'ErrDecodingAdmissionReqBody', 'An admission request could not be decoded.'),
  e(6104, 'ErrParsingReqTimeout', 'The timeout of an admission request could not be parsed.'),
  e(6105, 'ErrInvalidAdmissionReqHeader', 'An admission request has an unsupported content type header.'),
  e(6106, 'ErrWritingAdmissionResp', 'An admission response could not be written.'),
  e(6107, 'ErrNilAdmissionReq', 'An admission request was empty.'),
  e(6108, 'ErrDeterminingPodInjectionEnablement', 'Whether sidecar injection is enabled for the pod of an admission request could not be determined.'),
  e(6109, 'ErrDeterminingNamespaceInjectionEnablement', 'Whether sidecar injection is enabled for the namespace of an admission request could not be determined.'),
  e(6110, 'ErrDeterminingPodPortExclusions', "The outbound port exclusions of a pod could not be read; none were added to the init container."),
  e(6111, 'ErrReadingAdmissionReqBody', 'The body of an admission request could not be read.'),
  e(6112, 'ErrNilAdmissionReqBody', 'The body of an admission request was empty.'),
  e(6113, 'ErrCreatingMutatingWebhook', 'The MutatingWebhookConfiguration could not be created.'),
  e(6114, 'ErrUpdatingMutatingWebhook', 'The MutatingWebhookConfiguration could not be updated.'),
  // 6700-6800: validating webhook
  e(6700, 'ErrShuttingDownValidatingWebhookHTTPServer', 'Shutting down the validating webhook HTTP server failed.'),
  e(6701, 'ErrStartingValidatingWebhookHTTPServer', 'The validating webhook HTTP server did not start.'),
  e(6702, 'ErrParsingValidatingWebhookCert', 'The validating webhook certificate could not be parsed; the webhook server was not started.'),
  e(6703, 'ErrCreatingValidatingWebhook', 'The ValidatingWebhookConfiguration could not be created.'),
  // 7000-7100: reconciler
  e(7000, 'ErrReconcilingUpdatedCRD', 'A modified CRD could not be restored to its original state.'),
  e(7001, 'ErrReconcilingDeletedCRD', 'A deleted CRD could not be recreated.'),
  e(7002, 'ErrReconcilingUpdatedMutatingWebhook', 'A modified mutating webhook could not be restored to its original state.'),
  e(7003, 'ErrReconcilingDeletedMutatingWebhook', 'A deleted mutating webhook could not be recreated.'),
  e(7004, 'ErrReconcilingUpdatedValidatingWebhook', 'A modified validating webhook could not be restored to its original state.'),
  e(7005, 'ErrReconcilingDeletedValidatingWebhook', 'A deleted validating webhook could not be recreated.'),
  // 8000-8099: service-registry sources and sync (codes of this project; FSM's connectors log these conditions without a code)
  e(8000, 'ErrRegistryUnreachable', 'A service registry (Consul, Eureka, Nacos, ZooKeeper, etcd) could not be reached or did not answer in time; the services of its last good answer are kept (marked stale) and the request is retried with backoff.'),
  e(8001, 'ErrRegistryBadAnswer', 'A service registry answered with an error status or a body that could not be read; the services of its last good answer are kept (marked stale).'),
  e(8002, 'ErrRegistryLimitExceeded', 'A service registry answered more instances or more bytes than the source allows (maxInstances, maxPayload); the answer was refused and the last good one kept.'),
  e(8003, 'ErrRegistryInstanceSkipped', 'A registry instance was left out: its address is not an IP address, its port is out of range, or it failed the source filters in a way worth reporting.'),
  e(8004, 'ErrRegistryNameCollision', 'Two registry service names map to the same Kubernetes service name; the one that sorts first keeps the name, the other gets a hashed suffix.'),
  e(8005, 'ErrRegistrySyncFailed', 'Registering a mesh service into a registry, renewing it or removing it failed; it is retried with backoff.'),
  e(8006, 'ErrConnectorInvalid', 'A connector object (ConsulConnector, EurekaConnector, NacosConnector, ZookeeperConnector) could not be turned into a source; the source it described before keeps running.'),
];

const BY_CODE = new Map(ERROR_CODES.map((i) => [i.code, i]));

/** The entry of a code such as `E2002` (case-insensitive, `2002` accepted). */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  const c = code.trim().toUpperCase();
  return BY_CODE.get(/^\d+$/.test(c) ? `E${c}` : c);
}

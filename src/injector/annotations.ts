/**
 * The labels and annotations FSM's injector reads and writes (FSM
 * `pkg/constants`), and how it reads an on/off annotation.
 */

export const Annotations = {
  /** `enabled|disabled` on a namespace or pod (also yes/no, true/false). */
  SidecarInjection: 'flomesh.io/sidecar-injection',
  /** On a namespace: add Prometheus scrape annotations to injected pods. */
  Metrics: 'flomesh.io/metrics',
  /** On a pod or namespace: the sidecar image instead of MeshConfig `sidecar.sidecarImage`. */
  SidecarImage: 'flomesh.io/sidecar-image',
  HoldApplicationUntilProxyStarts: 'flomesh.io/hold-application-until-proxy-starts',
  GracefulExitUntilDownstreamEnds: 'flomesh.io/graceful-exit-until-downstream-ends',
  OutboundPortExclusionList: 'flomesh.io/outbound-port-exclusion-list',
  InboundPortExclusionList: 'flomesh.io/inbound-port-exclusion-list',
  OutboundIPRangeExclusionList: 'flomesh.io/outbound-ip-range-exclusion-list',
  OutboundIPRangeInclusionList: 'flomesh.io/outbound-ip-range-inclusion-list',
  /** `<prefix>-<cpu|memory|storage|ephemeral-storage>` on a pod or namespace. */
  SidecarResourceLimitsPrefix: 'flomesh.io/sidecar-resource-limits',
  SidecarResourceRequestsPrefix: 'flomesh.io/sidecar-resource-requests',
  PrometheusScrape: 'prometheus.io/scrape',
  PrometheusPort: 'prometheus.io/port',
  PrometheusPath: 'prometheus.io/path',
} as const;

export const InjectorLabels = {
  ProxyUUID: 'fsm-proxy-uuid',
  MonitoredBy: 'flomesh.io/monitored-by',
  Ignore: 'flomesh.io/ignore',
  AppName: 'app.kubernetes.io/name',
  AppInstance: 'app.kubernetes.io/instance',
  AppVersion: 'app.kubernetes.io/version',
} as const;

/** FSM's `app.kubernetes.io/name` value on everything it creates. */
export const APP_NAME = 'flomesh.io';

/**
 * An on/off annotation as FSM reads it: `enabled|yes|true` on,
 * `disabled|no|false` off (any case); undefined when absent. Throws naming
 * the annotation and the object for any other value.
 */
export function readSwitch(annotations: Readonly<Record<string, string>> | undefined, key: string, object: string): boolean | undefined {
  const value = annotations?.[key];
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case 'enabled':
    case 'yes':
    case 'true':
      return true;
    case 'disabled':
    case 'no':
    case 'false':
      return false;
    default:
      throw new Error(`${object}: annotation ${key}: "${value}" is not enabled or disabled`);
  }
}

/**
 * Whether a pod gets a sidecar, by FSM's rules (`pkg/injector/webhook.go`
 * mustPodInject, docs §2.3): never on the host network, never in
 * kube-system, kube-public or the control-plane namespace, only in
 * namespaces this mesh monitors (`flomesh.io/monitored-by=<mesh>`, not
 * `flomesh.io/ignore`), and then when the pod is annotated
 * `flomesh.io/sidecar-injection: enabled`, or its namespace is and the pod
 * is not annotated `disabled`.
 */
import { Annotations, InjectorLabels, readSwitch } from './annotations.js';

export interface NamespaceInfo {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface InjectionDecision {
  readonly inject: boolean;
  /** Why not (or `enabled by ...`), for logs. */
  readonly reason: string;
}

export interface InjectionScope {
  readonly meshName: string;
  readonly fsmNamespace: string;
}

/** Whether the mesh monitors the namespace (a namespace the controller has not seen is not monitored). */
export function isMonitored(ns: NamespaceInfo | undefined, meshName: string): boolean {
  return ns?.labels?.[InjectorLabels.MonitoredBy] === meshName && ns.labels[InjectorLabels.Ignore] === undefined;
}

/**
 * Throws (naming the object and the annotation) when an injection annotation
 * has a value other than enabled/disabled (yes/no, true/false): the request
 * is then refused, as FSM refuses it.
 */
export function decideInjection(
  pod: { metadata?: { name?: string; generateName?: string; annotations?: Record<string, string> }; spec?: { hostNetwork?: boolean } },
  namespace: string,
  ns: NamespaceInfo | undefined,
  scope: InjectionScope,
): InjectionDecision {
  const object = `Pod ${namespace}/${pod.metadata?.name || `${pod.metadata?.generateName ?? ''}*`}`;
  if (pod.spec?.hostNetwork) return { inject: false, reason: 'the pod uses the host network' };
  if (namespace === 'kube-system' || namespace === 'kube-public' || namespace === scope.fsmNamespace) {
    return { inject: false, reason: `namespace ${namespace} is never injected` };
  }
  if (!isMonitored(ns, scope.meshName)) return { inject: false, reason: `namespace ${namespace} is not monitored by mesh ${scope.meshName}` };
  const podSwitch = readSwitch(pod.metadata?.annotations, Annotations.SidecarInjection, object);
  const nsSwitch = readSwitch(ns?.annotations, Annotations.SidecarInjection, `Namespace ${namespace}`);
  if (podSwitch === true) return { inject: true, reason: 'enabled by the pod annotation' };
  if (nsSwitch === true && podSwitch !== false) return { inject: true, reason: 'enabled by the namespace annotation' };
  return { inject: false, reason: podSwitch === false ? 'disabled by the pod annotation' : 'injection is not enabled on the namespace or the pod' };
}

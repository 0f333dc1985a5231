/**
 * The containers the injector adds, as FSM's Pipy driver builds them
 * (`pkg/sidecar/v1/providers/pipy/driver/pipy_container.go`,
 * `pkg/injector/init_container.go`), with one difference: the sidecar
 * fetches its codebase over HTTPS with its bootstrap certificate (Pipy's
 * `--tls-cert/--tls-key/--tls-trusted`) unless the controller serves plain
 * HTTP.
 */
import { Annotations, readSwitch } from './annotations.js';
import type { Exclusions } from './exclusions.js';
import type { OriginalProbes } from '../model/health-probes.js';
import { SidecarPorts as Ports } from '../model/sidecar-ports.js';
import { iptablesCommand, SIDECAR_UID, type LocalProxyMode } from './iptables.js';

export const SIDECAR_CONTAINER = 'sidecar';
export const INIT_CONTAINER = 'fsm-init';
export const HEALTHCHECK_CONTAINER = 'fsm-healthcheck';
export const BOOTSTRAP_VOLUME = 'sidecar-bootstrap-config-volume';
/** Where the bootstrap Secret is mounted in the sidecar. */
export const BOOTSTRAP_MOUNT = '/etc/pipy';
export const BootstrapFiles = { config: 'bootstrap.yaml', ca: 'cacert.pem', cert: 'repo_cert.pem', key: 'repo_key.pem' } as const;

type Annotated = Readonly<Record<string, string>> | undefined;
type Resources = { limits?: Record<string, unknown>; requests?: Record<string, unknown> };

/** An annotation read from the pod, else its namespace, else a default (FSM's order). */
function podOrNamespaceSwitch(pod: Annotated, ns: Annotated, key: string, fallback: boolean, object: string): boolean {
  return readSwitch(pod, key, object) ?? readSwitch(ns, key, `namespace of ${object}`) ?? fallback;
}

/** MeshConfig resources, overridden per resource name by pod (else namespace) annotations. */
export function sidecarResources(base: Resources | undefined, pod: Annotated, ns: Annotated): Resources {
  const out: Resources = {};
  if (base?.limits) out.limits = { ...base.limits };
  if (base?.requests) out.requests = { ...base.requests };
  for (const [field, prefix] of [['limits', Annotations.SidecarResourceLimitsPrefix], ['requests', Annotations.SidecarResourceRequestsPrefix]] as const) {
    for (const name of ['cpu', 'memory', 'storage', 'ephemeral-storage']) {
      const key = `${prefix}-${name}`;
      const value = pod?.[key] ?? ns?.[key];
      if (value === undefined) continue;
      if (!/^[0-9.]+([eE][-+]?\d+|[numkKMGTPE]i?)?$/.test(value)) throw new Error(`annotation ${key}: "${value}" is not a resource quantity`);
      (out[field] ??= {})[name] = value;
    }
  }
  return out;
}

export interface SidecarSettings {
  readonly meshName: string;
  readonly image: string;
  readonly logLevel: string;
  /** Pipy's admin port in the sidecar; FSM uses the repo port number (6060). */
  readonly adminPort: number;
  /** `https://fsm-controller.<ns>:6060/repo/fsm-sidecar/<cn>/` (or http:// when TLS is off). */
  readonly repoUrl: string;
  readonly tls: boolean;
  readonly resources: Resources;
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly gracefulExitUntilDownstreamEnds: boolean;
  readonly controllerKind: string;
  readonly controllerName: string;
}

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

export function sidecarContainer(s: SidecarSettings, originals: OriginalProbes): Record<string, unknown> {
  const ports: { name: string; containerPort: number }[] = [
    { name: 'proxy-admin', containerPort: Ports.admin },
    { name: 'proxy-inbound', containerPort: Ports.inbound },
    { name: 'proxy-metrics', containerPort: Ports.prometheus },
  ];
  if (originals.Liveness) ports.push({ name: 'liveness-port', containerPort: Ports.liveness });
  if (originals.Readiness) ports.push({ name: 'readiness-port', containerPort: Ports.readiness });
  if (originals.Startup) ports.push({ name: 'startup-port', containerPort: Ports.startup });
  const tlsArgs = s.tls
    ? [`--tls-cert=${BOOTSTRAP_MOUNT}/${BootstrapFiles.cert}`, `--tls-key=${BOOTSTRAP_MOUNT}/${BootstrapFiles.key}`, `--tls-trusted=${BOOTSTRAP_MOUNT}/${BootstrapFiles.ca}`]
    : [];
  const container: Record<string, unknown> = {
    name: SIDECAR_CONTAINER,
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    securityContext: { allowPrivilegeEscalation: false, runAsUser: SIDECAR_UID },
    ports,
    volumeMounts: [{ name: BOOTSTRAP_VOLUME, readOnly: true, mountPath: BOOTSTRAP_MOUNT }],
    resources: s.resources,
    args: ['pipy', `--log-level=${s.logLevel}`, `--admin-port=${s.adminPort}`, ...tlsArgs, s.repoUrl],
    env: [
      { name: 'MESH_NAME', value: s.meshName },
      fieldEnv('POD_UID', 'metadata.uid'),
      fieldEnv('POD_NAME', 'metadata.name'),
      fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
      fieldEnv('POD_IP', 'status.podIP'),
      fieldEnv('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
      { name: 'POD_CONTROLLER_KIND', value: s.controllerKind },
      { name: 'POD_CONTROLLER_NAME', value: s.controllerName },
    ],
  };
  if (s.holdApplicationUntilProxyStarts || s.gracefulExitUntilDownstreamEnds) {
    const lifecycle: Record<string, unknown> = {};
    if (s.holdApplicationUntilProxyStarts) lifecycle['postStart'] = { exec: { command: ['/usr/local/bin/wait-pipy'] } };
    if (s.gracefulExitUntilDownstreamEnds) lifecycle['preStop'] = { exec: { command: ['/usr/local/bin/gkill'] } };
    container['lifecycle'] = lifecycle;
  }
  return container;
}

/** Hold and graceful-exit settings: pod annotation, else namespace annotation, else MeshConfig. */
export function lifecycleSettings(pod: Annotated, ns: Annotated, mesh: { holdApplicationUntilProxyStarts: boolean; gracefulExitUntilDownstreamEnds: boolean }, object: string) {
  return {
    holdApplicationUntilProxyStarts: podOrNamespaceSwitch(pod, ns, Annotations.HoldApplicationUntilProxyStarts, mesh.holdApplicationUntilProxyStarts, object),
    gracefulExitUntilDownstreamEnds: podOrNamespaceSwitch(pod, ns, Annotations.GracefulExitUntilDownstreamEnds, mesh.gracefulExitUntilDownstreamEnds, object),
  };
}

/**
 * The pod's controller for POD_CONTROLLER_KIND/NAME: the controlling owner,
 * with a ReplicaSet whose name has a hyphen read as its Deployment (FSM's rule).
 */
export function podController(ownerReferences: readonly { kind?: string; name?: string; controller?: boolean }[] | undefined): { kind: string; name: string } {
  const owner = (ownerReferences ?? []).find((r) => r.controller === true);
  let kind = owner?.kind ?? '';
  let name = owner?.name ?? '';
  const hyphen = name.lastIndexOf('-');
  if (kind === 'ReplicaSet' && hyphen >= 0) {
    kind = 'Deployment';
    name = name.slice(0, hyphen);
  }
  return { kind, name };
}

export interface InitSettings {
  readonly image: string;
  readonly pullPolicy: string;
  readonly privileged: boolean;
  readonly resources: Resources;
  readonly proxyMode: LocalProxyMode;
}

export function initContainer(s: InitSettings, exclusions: Exclusions): Record<string, unknown> {
  return {
    name: INIT_CONTAINER,
    image: s.image,
    imagePullPolicy: s.pullPolicy,
    securityContext: { privileged: s.privileged, capabilities: { add: ['NET_ADMIN'] }, runAsNonRoot: false, runAsUser: 0 },
    resources: s.resources,
    command: ['/bin/sh'],
    args: ['-c', iptablesCommand(exclusions, s.proxyMode)],
    env: [{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
  };
}

/** The container answering rewritten tcpSocket probes on 15904 (added only when one exists). */
export function healthcheckContainer(image: string, pullPolicy: string, resources: Resources, logLevel: string): Record<string, unknown> {
  return {
    name: HEALTHCHECK_CONTAINER,
    image,
    imagePullPolicy: pullPolicy,
    resources,
    args: ['--verbosity', logLevel],
    command: ['/fsm-healthcheck'],
    ports: [{ containerPort: Ports.healthcheck }],
  };
}

export function bootstrapVolume(secretName: string): Record<string, unknown> {
  return { name: BOOTSTRAP_VOLUME, secret: { secretName } };
}

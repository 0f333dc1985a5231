/**
 * The JSON patch (RFC 6902) that injects a pod, built operation by operation
 * on the pod of the admission request, in FSM's order: the uuid label (and
 * Prometheus annotations), rewritten probes, the bootstrap volume, the
 * `fsm-init` container, the fsm-healthcheck container when a tcpSocket probe
 * was rewritten, and the sidecar (first when the application must wait for
 * it, else last). A pod that already carries the bootstrap volume (a copy of
 * an injected pod, e.g. `kubectl debug --copy-to`) only gets a new uuid: new
 * label, new bootstrap Secret name, and the sidecar's codebase URL.
 */
import { Annotations, InjectorLabels } from './annotations.js';
import { BOOTSTRAP_VOLUME, SIDECAR_CONTAINER, bootstrapVolume, healthcheckContainer, initContainer, sidecarContainer, type InitSettings, type SidecarSettings } from './containers.js';
import type { Exclusions } from './exclusions.js';
import { rewriteHealthProbes, usesTcp, type ContainerJson, type OriginalProbes } from '../model/health-probes.js';
import { SidecarPorts as Ports } from '../model/sidecar-ports.js';

export type PatchOperation = { op: 'add' | 'replace'; path: string; value: unknown };

export interface PodJson {
  metadata?: { name?: string; generateName?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind?: string; name?: string; controller?: boolean }[] };
  spec?: { containers?: ContainerJson[]; initContainers?: unknown[]; volumes?: { name?: string; secret?: { secretName?: string } }[]; hostNetwork?: boolean; serviceAccountName?: string };
}

/** `/` and `~` escaped for a JSON pointer. */
export const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Adds entries to a map field: the whole map when absent, else one `add` per key (which replaces an existing key). */
function addToMap(ops: PatchOperation[], path: string, current: Record<string, string> | undefined, entries: Record<string, string>): void {
  if (!current) {
    ops.push({ op: 'add', path, value: entries });
    return;
  }
  for (const [k, v] of Object.entries(entries)) ops.push({ op: 'add', path: `${path}/${pointer(k)}`, value: v });
}

function appendTo(ops: PatchOperation[], path: string, current: unknown[] | undefined, items: unknown[]): void {
  if (items.length === 0) return;
  if (!current) ops.push({ op: 'add', path, value: items });
  else for (const item of items) ops.push({ op: 'add', path: `${path}/-`, value: item });
}

/** The uuid of an already-injected pod (from its bootstrap volume), as FSM's GetProxyUUID reads it. */
export function injectedUuid(pod: PodJson, secretPrefix: string): string | undefined {
  const volume = pod.spec?.volumes?.find((v) => v.name === BOOTSTRAP_VOLUME);
  const name = volume?.secret?.secretName;
  return name?.startsWith(secretPrefix) ? name.slice(secretPrefix.length) : volume ? '' : undefined;
}

export interface InjectionInput {
  readonly uuid: string;
  readonly secretName: string;
  /** Only the uuid label (MeshConfig traffic.interceptionMode NodeLevel: redirection is done on the node). */
  readonly labelOnly: boolean;
  readonly metrics: boolean;
  readonly exclusions: Exclusions;
  readonly sidecar: Omit<SidecarSettings, 'controllerKind' | 'controllerName'>;
  readonly init: InitSettings;
  readonly healthcheck: { readonly image: string; readonly resources: Record<string, unknown> };
}

export interface InjectionPlan {
  readonly ops: PatchOperation[];
  readonly originals: OriginalProbes;
}

/** A fresh injection. */
export function injectionPatch(pod: PodJson, input: InjectionInput, controller: { kind: string; name: string }): InjectionPlan {
  const ops: PatchOperation[] = [];
  const none: OriginalProbes = { Liveness: null, Readiness: null, Startup: null };
  addToMap(ops, '/metadata/labels', pod.metadata?.labels, { [InjectorLabels.ProxyUUID]: input.uuid });
  if (input.labelOnly) return { ops, originals: none };
  if (input.metrics) {
    addToMap(ops, '/metadata/annotations', pod.metadata?.annotations, {
      [Annotations.PrometheusScrape]: 'true',
      [Annotations.PrometheusPort]: String(Ports.prometheus),
      [Annotations.PrometheusPath]: '/stats/prometheus',
    });
  }
  const containers = pod.spec?.containers ?? [];
  const { rewrites, originals } = rewriteHealthProbes(containers);
  for (const r of rewrites) ops.push({ op: 'replace', path: `/spec/containers/${r.container}/${r.field}`, value: r.probe });
  appendTo(ops, '/spec/volumes', pod.spec?.volumes, [bootstrapVolume(input.secretName)]);
  appendTo(ops, '/spec/initContainers', pod.spec?.initContainers, [initContainer(input.init, input.exclusions)]);
  const sidecar = sidecarContainer({ ...input.sidecar, controllerKind: controller.kind, controllerName: controller.name }, originals);
  const added = usesTcp(originals) ? [healthcheckContainer(input.healthcheck.image, input.init.pullPolicy, input.healthcheck.resources, input.sidecar.logLevel)] : [];
  if (!pod.spec?.containers) {
    ops.push({ op: 'add', path: '/spec/containers', value: input.sidecar.holdApplicationUntilProxyStarts ? [sidecar, ...added] : [...added, sidecar] });
    return { ops, originals };
  }
  for (const c of added) ops.push({ op: 'add', path: '/spec/containers/-', value: c });
  ops.push({ op: 'add', path: input.sidecar.holdApplicationUntilProxyStarts ? '/spec/containers/0' : '/spec/containers/-', value: sidecar });
  return { ops, originals };
}

/** A copy of an injected pod: a new uuid everywhere the old one was. */
export function reinjectionPatch(pod: PodJson, uuid: string, secretName: string, repoUrl: string): PatchOperation[] {
  const ops: PatchOperation[] = [];
  addToMap(ops, '/metadata/labels', pod.metadata?.labels, { [InjectorLabels.ProxyUUID]: uuid });
  const volumes = pod.spec?.volumes ?? [];
  const v = volumes.findIndex((x) => x.name === BOOTSTRAP_VOLUME);
  if (v >= 0) ops.push({ op: 'replace', path: `/spec/volumes/${v}`, value: bootstrapVolume(secretName) });
  const containers = pod.spec?.containers ?? [];
  const s = containers.findIndex((c) => c.name === SIDECAR_CONTAINER);
  const args = containers[s]?.['args'];
  if (s >= 0 && Array.isArray(args)) {
    ops.push({ op: 'replace', path: `/spec/containers/${s}/args`, value: args.map((a: unknown) => (typeof a === 'string' && /^https?:\/\/[^ ]*\/repo\//.test(a) ? repoUrl : a)) });
  }
  return ops;
}

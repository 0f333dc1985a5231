/**
 * generateSidecarConfig: one proxy's complete Pipy sidecar document, as a
 * pure function of the model view (no I/O, no clock: `now` comes in).
 * Output is canonical (sorted keys, meaningful array orders fixed by
 * route-order.ts), so the same mesh in any insertion order gives the same
 * bytes, and `Version` is the content hash of the document without
 * `Ts`/`Version`.
 */
import type { MeshObject } from '../../model/types.js';
import type { ModelView, ProxyInfo } from '../../model/view.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { contentHash } from '../../shared/hash.js';
import { certificateBlock, type PipyCertificate } from './certificate.js';
import { createGenCache, type GenCache, type GenContext } from './context.js';
import { MESH_KEY, PODS_KEY, proxyKey, saKey } from './dependency-keys.js';
import { addEgress, buildForward } from './egress.js';
import { addIngressAndAccessControl } from './ingress-acl.js';
import { buildInbound } from './inbound.js';
import { readMeshSettings } from './mesh-settings.js';
import { podIPs, splitIdentity } from './mesh-services.js';
import { buildOutbound } from './outbound.js';
import { planPlugins } from './plugins.js';
import { compareOutboundMatches, compareRouteRules } from './route-order.js';
import { createSmiIndex, inboundAccess, type SmiIndex } from './smi-access.js';
import { buildSpec } from './spec.js';
import type { GenerationProblem, InboundTrafficPolicy, OutboundTrafficPolicy, PipyConf } from './types.js';

export interface SidecarConfigDeps {
  /** The proxy's certificate; omitted (or sidecarDisabledMTLS) gives `Certificate: null`. */
  readonly certificate?: PipyCertificate;
  /** Trust domain for host names and principals (default `cluster.local`). */
  readonly trustDomain?: string;
  /** Publish time written as `Ts` (RFC 3339); omitted leaves `Ts` out. Not part of the version. */
  readonly now?: Date;
  /** A TrafficTarget index shared across proxies of one batch (built from the view when omitted). */
  readonly smiIndex?: SmiIndex;
  /** A lookup memo shared across proxies of one batch (fresh when omitted). */
  readonly cache?: GenCache;
}

export interface SidecarConfig {
  readonly config: PipyConf;
  /** Canonical JSON of `config` (compact). */
  readonly json: string;
  /** Content hash of the config without `Ts`/`Version`. */
  readonly version: string;
  /** Policies that could not be applied (with FSM codes); everything else was generated. */
  readonly problems: readonly GenerationProblem[];
  /** Dependency keys read (see dependency-keys.ts). */
  readonly dependencies: ReadonlySet<string>;
}

const METRICS_ANNOTATION = 'flomesh.io/metrics';

function allowedEndpoints(ctx: GenContext, inbound: InboundTrafficPolicy | null, smi: SmiIndex): Record<string, string> {
  const out: Record<string, string> = {};
  if (ctx.mesh.permissive) {
    ctx.deps.add(PODS_KEY);
    for (const p of ctx.view.proxies()) for (const ip of podIPs(p.pod)) out[ip] = `${p.namespace}.${p.podName}`;
  } else {
    // Only pods of identities some TrafficTarget lets call this proxy.
    for (const id of inboundAccess({ ...ctx, problems: [] }, smi).sources) {
      const [sa, ns] = splitIdentity(id);
      ctx.deps.add(saKey(ns, sa));
      for (const pod of ctx.view.podsByServiceAccount(ns, sa)) for (const ip of podIPs(pod)) out[ip] = `${ns}.${pod.metadata.name}`;
    }
  }
  for (const tm of Object.values(inbound?.TrafficMatches ?? {})) {
    for (const range of Object.keys(tm.SourceIPRanges ?? {})) {
      if (range.endsWith('/32') || range.endsWith('/128')) out[range.slice(0, range.lastIndexOf('/'))] ??= 'Ingress/Accessor';
    }
  }
  return out;
}

function reorder(inbound: InboundTrafficPolicy | null, outbound: OutboundTrafficPolicy | null): void {
  for (const tm of Object.values(inbound?.TrafficMatches ?? {})) {
    for (const rs of Object.values(tm.HttpServiceRouteRules ?? {})) rs.RouteRules.sort(compareRouteRules);
  }
  for (const list of Object.values(outbound?.TrafficMatches ?? {})) {
    for (const tm of list) for (const rs of Object.values(tm.HttpServiceRouteRules ?? {})) rs.RouteRules.sort(compareRouteRules);
    list.sort(compareOutboundMatches);
  }
}

export function generateSidecarConfig(view: ModelView, proxy: ProxyInfo, deps: SidecarConfigDeps = {}): SidecarConfig {
  const ctx: GenContext = {
    view,
    proxy,
    mesh: readMeshSettings(view.meshConfig),
    trustDomain: deps.trustDomain ?? 'cluster.local',
    problems: [],
    deps: new Set([MESH_KEY, proxyKey(proxy.uuid)]),
    cache: deps.cache ?? createGenCache(),
  };
  const smi = deps.smiIndex ?? createSmiIndex(view.list('TrafficTarget'));
  const plugins = planPlugins(ctx);
  const inbound = buildInbound(ctx, smi, plugins.attachments);
  addIngressAndAccessControl(ctx, inbound);
  const outbound = addEgress(ctx, buildOutbound(ctx, smi, plugins.attachments));
  const forward = buildForward(ctx);
  reorder(inbound, outbound);
  const ns = view.get<MeshObject>('Namespace', undefined, proxy.namespace);
  const body: PipyConf = {
    Metrics: ns?.metadata.annotations?.[METRICS_ANNOTATION] === 'enabled',
    Spec: buildSpec(ctx),
    Certificate: deps.certificate && !ctx.mesh.sidecarDisabledMTLS ? certificateBlock(deps.certificate) : null,
    Inbound: inbound,
    Outbound: outbound,
    ...(forward ? { Forward: forward } : {}),
    AllowedEndpoints: allowedEndpoints(ctx, inbound, smi),
    Chains: plugins.chains,
  };
  const bodyJson = canonicalJson(body);
  const version = contentHash(bodyJson);
  const ts = deps.now?.toISOString();
  const config: PipyConf = { ...body, Version: version, ...(ts ? { Ts: ts } : {}) };
  // `Ts` and `Version` sort after every other top-level key, so appending them keeps the bytes canonical.
  const json = `${bodyJson.slice(0, -1)}${ts ? `,"Ts":${JSON.stringify(ts)}` : ''},"Version":${JSON.stringify(version)}}`;
  return { config, json, version, problems: ctx.problems, dependencies: ctx.deps };
}

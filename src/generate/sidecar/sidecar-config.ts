/**
 * generateSidecarConfig: one proxy's complete Pipy sidecar document, as a
 * pure function of the model view (no I/O, no clock: `now` comes in).
 * Output is canonical (sorted keys, meaningful array orders fixed by
 * route-order.ts), so the same mesh in any insertion order gives the same
 * bytes, and `Version` is the content hash of the document without
 * `Ts`/`Version`.
 *
 * The Inbound, Outbound, Forward and AllowedEndpoints blocks are memoised
 * per batch under keys naming everything they read from the proxy (its
 * identity, the services it backs, its mounted plugins), and kept as
 * canonical JSON text: replicas of one workload share them, and each proxy
 * only assembles its own Spec, Certificate and Chains around them.
 */
import { DEFAULT_TRUST_DOMAIN } from '../../certificate/identity.js';
import type { MeshObject } from '../../model/types.js';
import type { ModelView, ProxyInfo } from '../../model/view.js';
import { contentHash } from '../../shared/hash.js';
import { RawJson, rawJson, writeCanonical } from '../canonical-writer.js';
import type { WorkloadCertificate } from '../../certificate/types.js';
import { certificateBlock } from './certificate.js';
import { createGenCache, memoize, servicesForPod, type GenCache, type GenContext } from './context.js';
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
  readonly certificate?: WorkloadCertificate;
  /** Trust domain for host names and principals (default `cluster.local`). */
  readonly trustDomain?: string;
  /** Publish time written as `Ts` (RFC 3339); omitted leaves `Ts` out. Not part of the version. */
  readonly now?: Date;
  /** A TrafficTarget index shared across proxies of one batch (built from the view when omitted). */
  readonly smiIndex?: SmiIndex;
  /** A memo shared across proxies of one batch (fresh when omitted); the view must not change while it is used. */
  readonly cache?: GenCache;
}

export interface SidecarConfig {
  /** The document, parsed from `json` on each read (not retained: callers that need it often keep their copy). */
  readonly config: PipyConf;
  /** Canonical JSON of the document (compact). */
  readonly json: string;
  /** Content hash of the config without `Ts`/`Version`. */
  readonly version: string;
  /** Policies that could not be applied (with FSM codes); everything else was generated. */
  readonly problems: readonly GenerationProblem[];
  /** Dependency keys read (see dependency-keys.ts). */
  readonly dependencies: ReadonlySet<string>;
  /** Files `Chains` names besides the base scripts (mounted plugins): path → PipyJS source, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
}

const METRICS_ANNOTATION = 'flomesh.io/metrics';

/**
 * A certificate's block, serialised once per certificate object (the source
 * hands out the same object until the certificate changes), and a short key
 * naming it in document keys: the PEM text is kilobytes, and every replica of
 * an identity would otherwise re-serialise and re-key it in every batch.
 */
const certificateJsons = new WeakMap<WorkloadCertificate, { raw: RawJson; key: string }>();
let certificateSerial = 0;

function certificateJson(cert: WorkloadCertificate): { raw: RawJson; key: string } {
  let entry = certificateJsons.get(cert);
  if (!entry) {
    entry = { raw: rawJson(certificateBlock(cert)), key: `certificate#${++certificateSerial}` };
    certificateJsons.set(cert, entry);
  }
  return entry;
}

/** Inbound block as canonical text, plus the single-host source ranges AllowedEndpoints must admit. */
interface InboundFragment {
  readonly raw: RawJson;
  readonly ingressIPs: readonly string[];
}

function ingressIPs(inbound: InboundTrafficPolicy | null): string[] {
  const out: string[] = [];
  for (const tm of Object.values(inbound?.TrafficMatches ?? {})) {
    for (const range of Object.keys(tm.SourceIPRanges ?? {})) {
      if (range.endsWith('/32') || range.endsWith('/128')) out.push(range.slice(0, range.lastIndexOf('/')));
    }
  }
  return out;
}

/** Every meshed pod IP → `ns.pod` (permissive mode), once per batch. */
function allPodIPs(ctx: GenContext): Readonly<Record<string, string>> {
  return memoize(ctx, 'all-pod-ips', (c) => {
    c.deps.add(PODS_KEY);
    const out: Record<string, string> = {};
    for (const p of c.view.proxies()) for (const ip of podIPs(p.pod)) out[ip] = `${p.namespace}.${p.podName}`;
    return out;
  });
}

function allowedEndpoints(ctx: GenContext, inbound: InboundFragment, smi: SmiIndex): Record<string, string> {
  let out: Record<string, string>;
  if (ctx.mesh.permissive) {
    out = { ...allPodIPs(ctx) };
  } else {
    out = {};
    // Only pods of identities some TrafficTarget lets call this proxy (problems were reported by Inbound).
    for (const id of inboundAccess({ ...ctx, problems: [] }, smi).sources) {
      const [sa, ns] = splitIdentity(id);
      ctx.deps.add(saKey(ns, sa));
      for (const pod of ctx.view.podsByServiceAccount(ns, sa)) for (const ip of podIPs(pod)) out[ip] = `${ns}.${pod.metadata.name}`;
    }
  }
  for (const ip of inbound.ingressIPs) out[ip] ??= 'Ingress/Accessor';
  return out;
}

function reorderInbound(inbound: InboundTrafficPolicy | null): void {
  for (const tm of Object.values(inbound?.TrafficMatches ?? {})) {
    for (const rs of Object.values(tm.HttpServiceRouteRules ?? {})) rs.RouteRules.sort(compareRouteRules);
  }
}

function reorderOutbound(outbound: OutboundTrafficPolicy | null): void {
  for (const list of Object.values(outbound?.TrafficMatches ?? {})) {
    for (const tm of list) for (const rs of Object.values(tm.HttpServiceRouteRules ?? {})) rs.RouteRules.sort(compareRouteRules);
    list.sort(compareOutboundMatches);
  }
}

export function generateSidecarConfig(view: ModelView, proxy: ProxyInfo, deps: SidecarConfigDeps = {}): SidecarConfig {
  const cache = deps.cache ?? createGenCache();
  cache.meshSettings ??= readMeshSettings(view.meshConfig);
  const ctx: GenContext = {
    view,
    proxy,
    mesh: cache.meshSettings,
    trustDomain: deps.trustDomain ?? DEFAULT_TRUST_DOMAIN,
    problems: [],
    deps: new Set([MESH_KEY, proxyKey(proxy.uuid)]),
    cache,
  };
  const smi = deps.smiIndex ?? createSmiIndex(view.list('TrafficTarget'));
  // Without plugin policies the plan reads nothing of the proxy; with them it reads its namespace and pod labels.
  const plugins = ctx.mesh.flags.enablePluginPolicy ? planPlugins(ctx) : memoize(ctx, 'plugins', planPlugins);
  // The chains are the MeshConfig's plus the mounted plugins (what plugins.key names).
  const chains = memoize(ctx, `chains\u0000${plugins.key}`, () => rawJson(plugins.chains));
  // Inbound reads the proxy's identity, the services its pod backs and its mounted plugins; nothing else of the proxy.
  const backs = servicesForPod(ctx, proxy.pod).map((s) => s.metadata.name).join(',');
  const inboundKey = `inbound\u0000${proxy.identity}\u0000${backs}\u0000${plugins.key}`;
  const inbound = memoize(ctx, inboundKey, (c): InboundFragment => {
    const block = buildInbound(c, smi, plugins.attachments);
    addIngressAndAccessControl(c, block);
    reorderInbound(block);
    return { raw: rawJson(block), ingressIPs: ingressIPs(block) };
  });
  // Outbound (with egress) reads the proxy's identity (service account and namespace) and its mounted plugins.
  const outboundKey = `outbound\u0000${proxy.identity}\u0000${plugins.key}`;
  const outbound = memoize(ctx, outboundKey, (c) => {
    const block = addEgress(c, buildOutbound(c, smi, plugins.attachments));
    reorderOutbound(block);
    return rawJson(block);
  });
  const forward = memoize(ctx, 'forward', (c) => {
    const block = buildForward(c);
    return block ? rawJson(block) : undefined;
  });
  const allowed = memoize(ctx, `allowed\u0000${inboundKey}`, (c) => rawJson(allowedEndpoints(c, inbound, smi)));
  const ns = view.get<MeshObject>('Namespace', undefined, proxy.namespace);
  const metrics = ns?.metadata.annotations?.[METRICS_ANNOTATION] === 'enabled';
  const spec = rawJson(buildSpec(ctx));
  const certificate = deps.certificate && !ctx.mesh.sidecarDisabledMTLS ? certificateJson(deps.certificate) : null;
  // The memo keys name the shared blocks (Forward is one per batch), so this names the whole body.
  const docKey = [inboundKey, outboundKey, plugins.key, metrics, spec.json, certificate?.key ?? 'null'].join('\u0001');
  let doc = cache.documents.get(docKey);
  if (!doc) {
    const body: Record<keyof PipyConf, unknown> = {
      Metrics: metrics,
      Spec: spec,
      Certificate: certificate?.raw ?? null,
      Inbound: inbound.raw,
      Outbound: outbound,
      Forward: forward,
      AllowedEndpoints: allowed,
      Chains: chains,
      Ts: undefined,
      Version: undefined,
    };
    const bodyJson = writeCanonical(body);
    const v = contentHash(bodyJson);
    // `Version` sorts after every other top-level key, so appending it keeps the bytes canonical.
    doc = { body: bodyJson, version: v, json: `${bodyJson.slice(0, -1)},"Version":${JSON.stringify(v)}}` };
    cache.documents.set(docKey, doc);
  }
  const { version } = doc;
  const ts = deps.now?.toISOString();
  // `Ts` sorts between the body's keys and `Version`.
  const json = ts ? `${doc.body.slice(0, -1)},"Ts":${JSON.stringify(ts)},"Version":${JSON.stringify(version)}}` : doc.json;
  return {
    get config(): PipyConf {
      return JSON.parse(json) as PipyConf;
    },
    json,
    version,
    problems: ctx.problems,
    dependencies: ctx.deps,
    files: plugins.files,
  };
}

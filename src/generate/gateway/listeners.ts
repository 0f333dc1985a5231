/**
 * A Gateway's listeners as the Gateway API judges them: the route kinds each
 * supports, its certificates, and its conditions (Accepted, Programmed,
 * ResolvedRefs, Conflicted). Only programmed listeners are configured and
 * accept routes.
 *
 * FSM's gateway runs one protocol per port (its config has one Listener per
 * port). Listeners of one port must therefore share a protocol (and a TLS
 * mode): otherwise all of them are Conflicted (ProtocolConflict, as
 * gateway-api v1.1 asks: a partial set may be accepted only without every
 * conflicting listener). Listeners of one port and protocol must differ in
 * hostname (HostnameConflict); TCP and UDP listeners have no hostname, so one
 * per port. Listeners sharing a port are merged into one config listener.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { GATEWAY_API_GROUP, GATEWAY_MTLS_OPTION, type Condition, type Gateway, type Listener } from '../../model/gateway-types.js';
import type { Secret } from '../../model/types.js';
import { condition } from './conditions.js';
import type { GatewayContext } from './context.js';
import { gatewayKey } from './keys.js';
import { resolveSecretRef, secretText } from './references.js';

export interface RouteGroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ListenerState {
  readonly listener: Listener;
  readonly supportedKinds: readonly RouteGroupKind[];
  readonly conditions: readonly Condition[];
  /** Accepted, resolved and conflict-free: configured, and routes may attach. */
  readonly programmed: boolean;
  /** HTTPS and TLS Terminate: the certificates from certificateRefs. */
  readonly certificates: readonly { readonly CertChain: string; readonly PrivateKey: string }[];
  /** Client CA certificates from tls.frontendValidation. */
  readonly caCerts: readonly string[];
  /** `tls.options["gateway.flomesh.io/mtls"] == "true"`: verify client certificates. */
  readonly mtls: boolean;
}

const PROTOCOLS = new Set(['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP']);

/** What a port runs; listeners of one port must agree on it. */
function family(l: Listener): string {
  return l.protocol === 'TLS' ? `TLS/${l.tls?.mode ?? 'Terminate'}` : l.protocol;
}

function defaultKinds(l: Listener): string[] {
  switch (l.protocol) {
    case 'HTTP':
    case 'HTTPS':
      return ['HTTPRoute', 'GRPCRoute'];
    case 'TLS':
      return (l.tls?.mode ?? 'Terminate') === 'Passthrough' ? ['TLSRoute'] : ['TCPRoute'];
    case 'TCP':
      return ['TCPRoute'];
    case 'UDP':
      return ['UDPRoute'];
    default:
      return [];
  }
}

function supportedKinds(l: Listener): { kinds: RouteGroupKind[]; invalid: string[] } {
  const allowed = defaultKinds(l);
  const requested = l.allowedRoutes?.kinds;
  if (!requested || requested.length === 0) return { kinds: allowed.map((kind) => ({ group: GATEWAY_API_GROUP, kind })), invalid: [] };
  const kinds: RouteGroupKind[] = [];
  const invalid: string[] = [];
  for (const k of requested) {
    const group = k.group ?? GATEWAY_API_GROUP;
    if (group === GATEWAY_API_GROUP && allowed.includes(k.kind)) {
      if (!kinds.some((x) => x.kind === k.kind)) kinds.push({ group, kind: k.kind });
    } else invalid.push(`${group}/${k.kind}`);
  }
  return { kinds, invalid };
}

interface CheckedPair {
  readonly ok: boolean;
  readonly message: string;
}

/** Whether a Secret holds a PEM certificate chain and private key that parse (a bad one would stop Pipy's script). */
function checkTlsSecret(ctx: GatewayContext, secret: Secret): CheckedPair & { cert?: string; key?: string } {
  const memoKey = `tls-secret:${secret.metadata.namespace}/${secret.metadata.name}`;
  const hit = ctx.batch.memo.get(memoKey) as ReturnType<typeof checkTlsSecret> | undefined;
  if (hit && ctx.batch.memo.get(`${memoKey}#obj`) === secret) return hit;
  const cert = secretText(secret, 'tls.crt');
  const key = secretText(secret, 'tls.key');
  let result: ReturnType<typeof checkTlsSecret>;
  if (!cert || !key) result = { ok: false, message: `Secret ${secret.metadata.namespace}/${secret.metadata.name} has no tls.crt and tls.key` };
  else {
    try {
      new X509Certificate(cert);
      createPrivateKey(key);
      result = { ok: true, message: '', cert, key };
    } catch (err) {
      result = { ok: false, message: `Secret ${secret.metadata.namespace}/${secret.metadata.name}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  ctx.batch.memo.set(memoKey, result);
  ctx.batch.memo.set(`${memoKey}#obj`, secret);
  return result;
}

function conflictsOf(listeners: readonly Listener[]): Map<string, 'ProtocolConflict' | 'HostnameConflict'> {
  const byPort = new Map<number, Listener[]>();
  for (const l of listeners) byPort.set(l.port, [...(byPort.get(l.port) ?? []), l]);
  const out = new Map<string, 'ProtocolConflict' | 'HostnameConflict'>();
  for (const group of byPort.values()) {
    if (group.length < 2) continue;
    if (new Set(group.map(family)).size > 1) {
      for (const l of group) out.set(l.name, 'ProtocolConflict');
      continue;
    }
    const seen = new Map<string, Listener>();
    for (const l of group) {
      const h = l.protocol === 'TCP' || l.protocol === 'UDP' ? '' : (l.hostname ?? '*');
      const other = seen.get(h);
      if (other) {
        out.set(l.name, 'HostnameConflict');
        out.set(other.name, 'HostnameConflict');
      } else seen.set(h, l);
    }
  }
  return out;
}

/** The state of every listener of the Gateway, in spec order. */
export function listenerStates(ctx: GatewayContext, gw: Gateway): readonly ListenerState[] {
  ctx.deps.add(gatewayKey(gw.metadata.namespace ?? '', gw.metadata.name));
  const listeners = gw.spec?.listeners ?? [];
  const conflicts = conflictsOf(listeners);
  return listeners.map((l) => {
    const cond = (type: string, ok: boolean, reason: string, message: string) => condition(gw, type, ok, reason, message);
    const where = `listener ${l.name} (port ${l.port})`;
    const { kinds, invalid } = supportedKinds(l);
    let accepted: Condition;
    if (!PROTOCOLS.has(l.protocol)) accepted = cond('Accepted', false, 'UnsupportedProtocol', `${where}: protocol ${l.protocol} is not supported (HTTP, HTTPS, TLS, TCP, UDP)`);
    else if (l.protocol === 'HTTPS' && l.tls?.mode === 'Passthrough') accepted = cond('Accepted', false, 'UnsupportedProtocol', `${where}: HTTPS listeners terminate TLS; use protocol TLS for Passthrough`);
    else accepted = cond('Accepted', true, 'Accepted', `${where} is accepted`);

    const refFailures: { reason: string; message: string }[] = [];
    if (invalid.length > 0) refFailures.push({ reason: 'InvalidRouteKinds', message: `${where}: route kinds ${invalid.join(', ')} are not supported on protocol ${l.protocol}` });
    const certificates: { CertChain: string; PrivateKey: string }[] = [];
    const caCerts: string[] = [];
    const terminates = l.protocol === 'HTTPS' || (l.protocol === 'TLS' && (l.tls?.mode ?? 'Terminate') === 'Terminate');
    if (terminates && accepted.status === 'True') {
      const refs = l.tls?.certificateRefs ?? [];
      if (refs.length === 0) refFailures.push({ reason: 'InvalidCertificateRef', message: `${where}: terminating TLS needs tls.certificateRefs` });
      for (const ref of refs) {
        const r = resolveSecretRef(ctx, gw, ref, 'InvalidCertificateRef');
        if (!r.ok) refFailures.push(r.failure);
        else {
          const checked = checkTlsSecret(ctx, r.value);
          if (checked.ok && checked.cert && checked.key) certificates.push({ CertChain: checked.cert, PrivateKey: checked.key });
          else refFailures.push({ reason: 'InvalidCertificateRef', message: checked.message });
        }
      }
      for (const ref of l.tls?.frontendValidation?.caCertificateRefs ?? []) {
        const r = resolveSecretRef(ctx, gw, ref, 'InvalidCACertificateRef', 'InvalidCACertificateKind');
        if (!r.ok) refFailures.push(r.failure);
        else {
          const ca = secretText(r.value, 'ca.crt');
          if (ca) caCerts.push(ca);
          else refFailures.push({ reason: 'InvalidCACertificateRef', message: `Secret ${r.value.metadata.namespace}/${r.value.metadata.name} has no ca.crt` });
        }
      }
    }
    const first = refFailures[0];
    const resolved = first
      ? cond('ResolvedRefs', false, first.reason, refFailures.map((f) => f.message).join('; '))
      : cond('ResolvedRefs', true, 'ResolvedRefs', `${where}: references are resolved`);
    const conflict = conflicts.get(l.name);
    const conflicted = conflict
      ? cond('Conflicted', true, conflict, conflict === 'ProtocolConflict' ? `${where}: another listener uses port ${l.port} with a different protocol` : `${where}: another listener uses port ${l.port} with the same protocol and hostname`)
      : cond('Conflicted', false, 'NoConflicts', `${where} has no conflicts`);
    // Unsupported route kinds alone do not stop a listener that still supports one.
    const refsBlock = refFailures.some((f) => f.reason !== 'InvalidRouteKinds');
    const programmed = accepted.status === 'True' && !conflict && !refsBlock && kinds.length > 0;
    const programmedCond = programmed
      ? cond('Programmed', true, 'Programmed', `${where} is configured`)
      : cond('Programmed', false, 'Invalid', `${where} is not configured: ${[accepted, resolved, conflicted].filter((c) => (c.type === 'Conflicted' ? c.status === 'True' : c.status === 'False')).map((c) => c.reason).join(', ') || 'it supports no route kind'}`);
    return {
      listener: l,
      supportedKinds: kinds,
      conditions: [accepted, programmedCond, resolved, conflicted],
      programmed,
      certificates,
      caCerts,
      mtls: l.tls?.options?.[GATEWAY_MTLS_OPTION] === 'true',
    };
  });
}

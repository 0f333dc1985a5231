import type { PeerCertificate } from 'node:tls';
import { StatusCode, XdsStatusError } from '../../server/errors.js';
import type { AuthorizeContext, Authorizer } from '../../server/stream-types.js';
import { parseBootstrapCommonName } from '../certificate/identity.js';
import { CertificateError } from '../certificate/types.js';
import type { ModelView, ProxyInfo } from '../model/view.js';

/**
 * Who a client certificate says it is. The bootstrap certificate's CN is
 * `<uuid>.sidecar.<sa>.<ns>.<trustDomain>`: a malformed CN is E5001, a CN
 * naming no known proxy (or one whose service account or namespace differ)
 * is E5002. `reason` does not repeat the code.
 */
export type ProxyIdentity = { ok: true; proxy: ProxyInfo } | { ok: false; code: 'E5001' | 'E5002'; reason: string };

export function identifyProxy(cert: PeerCertificate | undefined, view: ModelView, trustDomain: string): ProxyIdentity {
  const cn = cert?.subject?.CN;
  if (!cert || !cn) return { ok: false, code: 'E5001', reason: 'no client certificate with a common name' };
  let ref;
  try {
    ref = parseBootstrapCommonName(Array.isArray(cn) ? String(cn[0]) : cn, trustDomain);
  } catch (err) {
    return { ok: false, code: 'E5001', reason: err instanceof CertificateError ? err.detail : err instanceof Error ? err.message : String(err) };
  }
  const proxy = view.proxyByUuid(ref.uuid);
  if (!proxy || proxy.serviceAccount !== ref.serviceAccount || proxy.namespace !== ref.namespace) {
    return { ok: false, code: 'E5002', reason: `no proxy ${ref.uuid}.sidecar.${ref.serviceAccount}.${ref.namespace} in the mesh` };
  }
  return { ok: true, proxy };
}

/**
 * The xDS authorizer for `--xds-tls`: a stream may only act as the proxy its
 * certificate names (node id `<uuid>.sidecar.<sa>.<ns>`), so it receives only
 * that proxy's snapshot: its own config and secrets. A node id naming
 * another proxy than the certificate is E5010 (FSM's mismatched node id and
 * certificate).
 */
export function createXdsProxyAuthorizer(view: ModelView, trustDomain: string): Authorizer {
  return (ctx: AuthorizeContext) => {
    const id = identifyProxy(ctx.peerCertificate, view, trustDomain);
    if (!id.ok) {
      throw new XdsStatusError(id.code === 'E5001' ? StatusCode.UNAUTHENTICATED : StatusCode.PERMISSION_DENIED, `${id.code}: ${id.reason}`);
    }
    if (ctx.node.id !== id.proxy.cnPrefix) {
      throw new XdsStatusError(StatusCode.PERMISSION_DENIED, `E5010: node id "${ctx.node.id}" does not match the client certificate (${id.proxy.cnPrefix})`);
    }
  };
}

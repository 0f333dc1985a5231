/**
 * The endpoints of a Service port as the gateway dials them (`ip:port`,
 * weight 1), from EndpointSlices (legacy Endpoints are converted by the
 * model). The port is the slice port named like the service port; a slice
 * port without a number falls back to the service's numeric targetPort, as
 * in FSM. IPv4 slices only (FSM's gateway dials IPv4).
 *
 * An endpoint counts unless its `ready` condition is false: the
 * EndpointSlice API reads an absent condition as ready (FSM 1.3 skipped such
 * endpoints).
 */
import type { EndpointSlice, Service, ServicePort } from '../../model/types.js';
import type { GatewayContext } from './context.js';
import { svcKey } from './keys.js';

function servicePort(service: Service, port: number): ServicePort | undefined {
  return (service.spec?.ports ?? []).find((p) => p.port === port);
}

function slicePort(slice: EndpointSlice, sp: ServicePort): number | undefined {
  for (const p of slice.ports ?? []) {
    if (p.port === undefined) return typeof sp.targetPort === 'number' && sp.targetPort > 0 ? sp.targetPort : sp.port;
    if ((p.name ?? '') === (sp.name ?? '')) return p.port;
  }
  return undefined;
}

/** `ip:port` → weight, sorted by address. Empty when the Service has no ready endpoint on that port. */
export function serviceEndpoints(ctx: GatewayContext, service: Service, port: number): Record<string, { Weight: number }> {
  const ns = service.metadata.namespace ?? '';
  ctx.deps.add(svcKey(ns, service.metadata.name));
  const sp = servicePort(service, port);
  const targets = new Set<string>();
  if (sp) {
    for (const slice of ctx.view.endpointSlicesForService(ns, service.metadata.name)) {
      if ((slice.addressType ?? 'IPv4') !== 'IPv4') continue;
      const target = slicePort(slice, sp);
      if (target === undefined) continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const address of ep.addresses) targets.add(`${address}:${target}`);
      }
    }
  }
  const out: Record<string, { Weight: number }> = {};
  for (const t of [...targets].sort()) out[t] = { Weight: 1 };
  return out;
}

/**
 * Where a TLS passthrough connection to a Service port goes (FSM's config
 * holds one `host:port` per hostname): the cluster IP when the Service has
 * one, else its first ready endpoint. Undefined when neither exists.
 */
export function passthroughTarget(ctx: GatewayContext, service: Service, port: number): string | undefined {
  const ip = service.spec?.clusterIP;
  if (ip && ip !== 'None') return `${ip}:${port}`;
  return Object.keys(serviceEndpoints(ctx, service, port))[0];
}

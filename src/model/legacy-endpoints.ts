/**
 * Converts legacy core/v1 Endpoints to the EndpointSlice shape, so that
 * generators read one form (ModelView.endpointSlicesForService).
 */
import { Labels, type EndpointSlice, type Endpoints, type EndpointSliceEndpoint } from './types.js';

export function endpointsToSlices(ep: Endpoints): EndpointSlice[] {
  const ns = ep.metadata.namespace ?? '';
  return (ep.subsets ?? []).map((subset, i) => {
    const endpoints: EndpointSliceEndpoint[] = [];
    for (const a of subset.addresses ?? []) {
      endpoints.push({
        addresses: [a.ip],
        conditions: { ready: true },
        ...(a.targetRef ? { targetRef: { ...a.targetRef } } : {}),
      });
    }
    for (const a of subset.notReadyAddresses ?? []) endpoints.push({ addresses: [a.ip], conditions: { ready: false } });
    const v6 = endpoints.some((e) => (e.addresses[0] ?? '').includes(':'));
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${ep.metadata.name}-endpoints-${i}`,
        namespace: ns,
        labels: { [Labels.EndpointSliceService]: ep.metadata.name },
      },
      addressType: v6 ? 'IPv6' : 'IPv4',
      endpoints,
      ports: (subset.ports ?? []).map((p) => ({ ...p })),
    } satisfies EndpointSlice;
  });
}

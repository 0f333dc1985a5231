/**
 * A registry service as model objects: a headless Service (as FSM's
 * connector creates: `clusterIP: None`, one port per distinct instance port
 * named `<protocol><port>` with its appProtocol) and one EndpointSlice per
 * port and address family holding the instances serving that port. Unlike
 * FSM, endpoints travel as EndpointSlices rather than a JSON annotation, so
 * a change touches only the slice it changes and no object grows with the
 * number of instances beyond what Kubernetes itself would hold.
 */
import { isIPv6 } from '../../model/schema/ip.js';
import { Labels, type EndpointSlice, type MeshObject, type Service, type ServicePort } from '../../model/types.js';
import type { CatalogInstance, RegistryProvider } from './instance.js';
import { CloudLabels } from './origin.js';

export interface ServiceObjectsInput {
  /** Kubernetes name (already mapped). */
  readonly name: string;
  readonly namespace: string;
  /** The name in the registry. */
  readonly registryName: string;
  readonly provider: RegistryProvider;
  /** The source's name (`consul:http://…`), written as the manager of the objects. */
  readonly sourceName: string;
  /** Instances with IP addresses and valid ports, already filtered. */
  readonly instances: readonly CatalogInstance[];
}

const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The Service first, then its slices by name; nothing when there is no instance. */
export function serviceObjects(input: ServiceObjectsInput): MeshObject[] {
  if (input.instances.length === 0) return [];
  // One protocol per port number: the first in a stable order wins (a Service cannot list a port twice).
  const ports = new Map<number, string>();
  const sortedInstances = [...input.instances].sort((a, b) => a.port - b.port || byCode(a.protocol, b.protocol) || byCode(a.address, b.address));
  for (const i of sortedInstances) if (!ports.has(i.port)) ports.set(i.port, i.protocol);

  const servicePorts: ServicePort[] = [...ports].map(([port, protocol]) => ({
    name: `${protocol}${port}`,
    port,
    targetPort: port,
    protocol: 'TCP',
    appProtocol: protocol,
  }));
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { [CloudLabels.cloudSourced]: 'true' },
      annotations: {
        [CloudLabels.meshServiceSync]: input.provider,
        [CloudLabels.managedBy]: input.sourceName,
        [CloudLabels.inheritedFrom]: input.registryName,
      },
    },
    spec: { clusterIP: 'None', ports: servicePorts },
  };

  const slices: EndpointSlice[] = [];
  for (const [port, protocol] of ports) {
    const families: Record<'IPv4' | 'IPv6', Set<string>> = { IPv4: new Set(), IPv6: new Set() };
    for (const i of input.instances) if (i.port === port) families[isIPv6(i.address) ? 'IPv6' : 'IPv4'].add(i.address);
    for (const family of ['IPv4', 'IPv6'] as const) {
      const addresses = [...families[family]].sort(byCode);
      if (addresses.length === 0) continue;
      slices.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${input.name}-${protocol}${port}${family === 'IPv6' ? '-v6' : ''}`,
          namespace: input.namespace,
          labels: {
            [Labels.EndpointSliceService]: input.name,
            [MANAGED_BY]: `fsm-control-plane.${input.provider}`,
            [CloudLabels.cloudSourced]: 'true',
          },
        },
        addressType: family,
        endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
        ports: [{ name: `${protocol}${port}`, port, protocol: 'TCP', appProtocol: protocol }],
      });
    }
  }
  return [service, ...slices];
}

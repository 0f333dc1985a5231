/**
 * Which proxies depend on a change: the dependency rules of the mesh, in one
 * place. The generators recompute only the proxies returned here.
 *
 * Terms: the *servers* of a service are the proxies of the pods it selects;
 * its *clients* are the proxies allowed to call it. In permissive mode every
 * proxy may call every service, so clients are all proxies (as in FSM). In
 * SMI mode the clients are the proxies of the source identities of the
 * TrafficTargets whose destination is an identity of the service's pods,
 * plus the clients of any TrafficSplit apex the service is a backend of.
 *
 * | change                                   | proxies touched                                         |
 * |------------------------------------------|---------------------------------------------------------|
 * | MeshConfig, EgressGateway, Isolation, Plugin, PluginChain, unknown kinds | all          |
 * | Namespace                                | proxies in the namespace                                |
 * | Pod                                      | its own proxy; clients of the services selecting it (old and new labels) |
 * | Service                                  | its servers and clients (old and new selector)          |
 * | EndpointSlice, Endpoints                 | clients of the service                                  |
 * | ServiceAccount                           | proxies running as it                                   |
 * | Secret                                   | source proxies of Egress policies using it for mTLS     |
 * | TrafficTarget                            | proxies of the destination and of every source identity |
 * | HTTPRouteGroup, TCPRoute, UDPRoute       | as for the TrafficTargets/TrafficSplits/Egresses in its namespace that reference it |
 * | TrafficSplit                             | clients of the apex service                             |
 * | UpstreamTrafficSetting, PluginConfig, ServiceExport | clients and servers of the target service    |
 * | IngressBackend, AccessControl            | servers of the backend services                         |
 * | Retry, Egress                            | proxies of the source identities                        |
 * | TrafficWarmup, ServiceImport, GlobalTrafficPolicy | clients of the service                         |
 * | Gateway API kinds, gateway policies      | none (they configure gateways, not sidecars)            |
 *
 * Both the old and the new object of a change are considered, so a policy
 * that moves from one target to another touches both.
 */
import type { ModelChange, ModelView } from './view.js';
import { Labels, type MeshObject, type Pod, type Service } from './types.js';
import { parseIdentity, splitRef } from './selectors.js';
import { policyTargets, trafficTargetSources } from './policy-targets.js';
import { GatewayKinds, PolicyKinds } from './gateway-types.js';

const ALL_KINDS = new Set(['MeshConfig', 'EgressGateway', 'Isolation', 'Plugin', 'PluginChain']);
const CLIENTS_AND_SERVERS = new Set(['UpstreamTrafficSetting', 'PluginConfig', 'ServiceExport']);
const SERVERS_ONLY = new Set(['IngressBackend', 'AccessControl']);
const ROUTE_KINDS = new Set(['HTTPRouteGroup', 'TCPRoute', 'UDPRoute']);

export interface DependencyContext {
  readonly view: ModelView;
  /** Every proxy uuid in the mesh. */
  allProxies(): Iterable<string>;
}

export function affectedProxies(ctx: DependencyContext, changes: readonly ModelChange[]): Set<string> {
  const out = new Set<string>();
  const { view } = ctx;
  const permissive = view.meshConfig.spec.traffic.enablePermissiveTrafficPolicyMode;
  let all = false;

  const addPod = (pod: MeshObject | undefined) => {
    const uuid = pod?.metadata.labels?.[Labels.ProxyUUID];
    if (uuid) out.add(uuid);
  };
  const addIdentity = (identity: string) => {
    const id = parseIdentity(identity);
    if (id) for (const p of view.podsByServiceAccount(id.namespace, id.serviceAccount)) addPod(p);
  };
  const serviceObj = (ref: string): Service | undefined => {
    const { namespace, name } = splitRef(ref);
    return view.get<Service>('Service', namespace, name);
  };
  const addServers = (svc: Service | undefined) => {
    if (svc) for (const p of view.podsForService(svc)) addPod(p);
  };
  const addClients = (svc: Service | undefined, ref: string, seen = new Set<string>()) => {
    if (permissive) {
      all = true;
      return;
    }
    if (seen.has(ref)) return;
    seen.add(ref);
    if (svc) {
      const identities = new Set<string>();
      for (const p of view.podsForService(svc)) {
        identities.add(`${(p as Pod).spec?.serviceAccountName || 'default'}.${p.metadata.namespace ?? ''}`);
      }
      for (const identity of identities) {
        for (const tt of view.policiesFor('TrafficTarget', { identity })) for (const src of trafficTargetSources(tt)) addIdentity(src);
      }
    }
    const { namespace, name } = splitRef(ref);
    for (const split of view.list('TrafficSplit', namespace)) {
      const spec = split.spec as { service?: string; backends?: { service: string }[] } | undefined;
      if (spec?.service && spec.backends?.some((b) => b.service === name)) {
        const apexRef = `${namespace}/${spec.service.split('.')[0]}`;
        addClients(serviceObj(apexRef), apexRef, seen);
      }
    }
  };
  const clientsOfRef = (ref: string) => addClients(serviceObj(ref), ref);

  const one = (kind: string, obj: MeshObject) => {
    const ns = obj.metadata.namespace ?? '';
    switch (kind) {
      case 'Namespace':
        for (const p of view.list('Pod', obj.metadata.name)) addPod(p);
        return;
      case 'Pod':
        addPod(obj);
        for (const svc of view.servicesForPod(obj as Pod)) addClients(svc, `${ns}/${svc.metadata.name}`);
        return;
      case 'Service': {
        const svc = obj as Service;
        addServers(svc);
        addClients(svc, `${ns}/${obj.metadata.name}`);
        return;
      }
      case 'EndpointSlice': {
        const svc = obj.metadata.labels?.[Labels.EndpointSliceService];
        if (svc) clientsOfRef(`${ns}/${svc}`);
        return;
      }
      case 'Endpoints':
        clientsOfRef(`${ns}/${obj.metadata.name}`);
        return;
      case 'ServiceAccount':
        addIdentity(`${obj.metadata.name}.${ns}`);
        return;
      case 'Secret':
        for (const eg of view.list('Egress')) {
          const sources = (eg.spec as { sources?: { mtls?: { cert?: { secret?: { name?: string; namespace?: string } } } }[] } | undefined)?.sources ?? [];
          if (sources.some((s) => s.mtls?.cert?.secret?.name === obj.metadata.name && s.mtls.cert.secret.namespace === ns)) {
            for (const i of policyTargets(eg).identities) addIdentity(i);
          }
        }
        return;
      case 'TrafficTarget':
        for (const i of policyTargets(obj).identities) addIdentity(i);
        for (const i of trafficTargetSources(obj)) addIdentity(i);
        return;
      case 'TrafficSplit':
        for (const s of policyTargets(obj).services) clientsOfRef(s);
        return;
      default:
        break;
    }
    if (ROUTE_KINDS.has(kind)) {
      const refers = (r: { kind?: string; name?: string }) => r.kind === kind && r.name === obj.metadata.name;
      for (const tt of view.list('TrafficTarget', ns)) {
        if (((tt.spec as { rules?: { kind: string; name: string }[] } | undefined)?.rules ?? []).some(refers)) one('TrafficTarget', tt);
      }
      for (const split of view.list('TrafficSplit', ns)) {
        if (((split.spec as { matches?: { kind: string; name: string }[] } | undefined)?.matches ?? []).some(refers)) one('TrafficSplit', split);
      }
      for (const eg of view.list('Egress', ns)) {
        if (((eg.spec as { matches?: { kind: string; name: string }[] } | undefined)?.matches ?? []).some(refers)) {
          for (const i of policyTargets(eg).identities) addIdentity(i);
        }
      }
      return;
    }
    const t = policyTargets(obj);
    for (const i of t.identities) addIdentity(i);
    for (const s of t.services) {
      if (!SERVERS_ONLY.has(kind)) clientsOfRef(s);
      if (SERVERS_ONLY.has(kind) || CLIENTS_AND_SERVERS.has(kind)) addServers(serviceObj(s));
    }
  };

  for (const ch of changes) {
    if (GATEWAY_ONLY.has(ch.kind)) continue;
    if (ALL_KINDS.has(ch.kind) || (!KNOWN.has(ch.kind))) {
      all = true;
      break;
    }
    if (ch.old) one(ch.kind, ch.old);
    if (ch.new) one(ch.kind, ch.new);
    if (all) break;
  }
  if (all) return new Set(ctx.allProxies());
  return out;
}

const GATEWAY_ONLY: ReadonlySet<string> = new Set([
  ...Object.values(GatewayKinds),
  ...Object.values(PolicyKinds),
]);

const KNOWN = new Set([
  'Namespace', 'Pod', 'Service', 'EndpointSlice', 'Endpoints', 'ServiceAccount', 'Secret', 'TrafficTarget',
  'HTTPRouteGroup', 'TCPRoute', 'UDPRoute', 'TrafficSplit', 'UpstreamTrafficSetting', 'PluginConfig',
  'ServiceExport', 'IngressBackend', 'AccessControl', 'Retry', 'Egress', 'TrafficWarmup', 'ServiceImport',
  'GlobalTrafficPolicy',
]);

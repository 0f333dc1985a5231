/**
 * FSM connector objects as `--source` values: each connector becomes the
 * text a user would pass on the command line, parsed by the same source
 * registry, so a connector and a flag mean exactly the same thing and get
 * the same validation. Field by field (FSM's names on the left):
 *
 *   httpAddr              the URL (`http://` added when it has no scheme)
 *   deriveNamespace       namespace
 *   purge, syncToK8S.enable=false   read=false
 *   syncPeriod            wait (Consul) or interval (Eureka, Nacos)
 *   syncToK8S.filterMetadatas / excludeMetadatas / filterIpRanges / excludeIpRanges
 *                         meta / excludeMeta / ipRange / excludeIpRange
 *   syncToK8S.passingOnly, filterTag (Consul)   passingOnly, tag
 *   syncToK8S.groupSet, clusterSet, auth.namespaceId (Nacos)   group, cluster, namespaceId
 *   auth.username/password   credentials
 *   basePath, category (ZooKeeper)   root, category
 *   syncFromK8S.enable    sync=true, with defaultSync, allowK8sNamespaces,
 *                         denyK8sNamespaces, addServicePrefix,
 *                         addK8SNamespaceAsServiceSuffix, appendTags,
 *                         appendMetadatas, heartBeatPeriod, groupId, clusterId
 *
 * The cluster set used for loop prevention is MeshConfig's
 * (`name.group.zone.region`), as FSM's connectors use it.
 */
import type { MeshObject } from '../model/types.js';

export const CONNECTOR_SCHEMES: Readonly<Record<string, string>> = {
  ConsulConnector: 'consul',
  EurekaConnector: 'eureka',
  NacosConnector: 'nacos',
  ZookeeperConnector: 'zookeeper',
};

type Spec = Record<string, any>;

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);
const pairs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((m) => m && typeof m.key === 'string').map((m: { key: string; value?: string }) => `${m.key}:${m.value ?? ''}`) : []);

function withScheme(addr: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(addr) ? addr : `http://${addr}`;
}

function withCredentials(url: string, username: unknown, password: unknown): string {
  if (typeof username !== 'string' || username === '') return url;
  const u = new URL(url);
  u.username = encodeURIComponent(username);
  if (typeof password === 'string') u.password = encodeURIComponent(password);
  return u.href.replace(/\/$/, '');
}

/** The `--source` text for a connector object; throws an Error naming the field when it cannot be built. */
export function connectorSourceText(obj: MeshObject, clusterSet: string): string {
  const scheme = CONNECTOR_SCHEMES[obj.kind];
  if (!scheme) throw new Error(`not a connector kind: ${obj.kind}`);
  const spec = (obj.spec ?? {}) as Spec;
  const toK8s = (spec.syncToK8S ?? {}) as Spec;
  const fromK8s = (spec.syncFromK8S ?? {}) as Spec;
  const q = new URLSearchParams();
  const add = (k: string, values: readonly string[]) => values.forEach((v) => q.append(k, v));
  q.set('namespace', String(spec.deriveNamespace ?? ''));
  q.set('clusterSet', clusterSet);
  if (spec.purge === true || toK8s.enable !== true) q.set('read', 'false');
  add('meta', pairs(toK8s.filterMetadatas));
  add('excludeMeta', pairs(toK8s.excludeMetadatas));
  add('ipRange', list(toK8s.filterIpRanges));
  add('excludeIpRange', list(toK8s.excludeIpRanges));
  const period = typeof spec.syncPeriod === 'string' ? spec.syncPeriod : undefined;
  const addr = String(spec.httpAddr ?? '');
  let base: string;
  switch (scheme) {
    case 'consul':
      base = withCredentials(withScheme(addr), spec.auth?.username, spec.auth?.password);
      if (period) q.set('wait', period);
      if (toK8s.passingOnly === false) q.set('passingOnly', 'false');
      if (typeof toK8s.filterTag === 'string' && toK8s.filterTag !== '') q.set('tag', toK8s.filterTag);
      add('syncTag', list(fromK8s.appendTags));
      break;
    case 'eureka':
      base = withScheme(addr);
      if (period) q.set('interval', period);
      if (typeof fromK8s.heartBeatPeriod === 'string') q.set('heartbeat', fromK8s.heartBeatPeriod);
      break;
    case 'nacos':
      base = withCredentials(withScheme(addr), spec.auth?.username, spec.auth?.password);
      if (period) q.set('interval', period);
      if (typeof spec.auth?.namespaceId === 'string' && spec.auth.namespaceId !== '') q.set('namespaceId', spec.auth.namespaceId);
      add('group', list(toK8s.groupSet));
      add('cluster', list(toK8s.clusterSet));
      if (typeof fromK8s.groupId === 'string' && fromK8s.groupId !== '') q.set('syncGroup', fromK8s.groupId);
      if (typeof fromK8s.clusterId === 'string' && fromK8s.clusterId !== '') q.set('syncCluster', fromK8s.clusterId);
      break;
    default:
      base = `${addr.replace(/^[a-z]+:\/\//i, '')}${String(spec.basePath ?? '/dubbo').replace(/^(?!\/)/, '/')}`;
      if (typeof spec.category === 'string' && spec.category !== '') q.set('category', spec.category);
      break;
  }
  if (fromK8s.enable === true && scheme !== 'zookeeper') {
    q.set('sync', 'true');
    if (fromK8s.defaultSync === false) q.set('syncDefault', 'false');
    add('syncNamespace', list(fromK8s.allowK8sNamespaces));
    add('syncExcludeNamespace', list(fromK8s.denyK8sNamespaces));
    if (typeof fromK8s.addServicePrefix === 'string' && fromK8s.addServicePrefix !== '') q.set('syncPrefix', fromK8s.addServicePrefix);
    if (fromK8s.addK8SNamespaceAsServiceSuffix === true) q.set('syncNamespaceSuffix', 'true');
    add('syncMeta', pairs(fromK8s.appendMetadatas));
  }
  return `${scheme}:${base}?${q.toString()}`;
}

/** `name.group.zone.region` from MeshConfig's clusterSet, with FSM's defaults. */
export function meshClusterSet(clusterSet: Partial<Record<'name' | 'group' | 'zone' | 'region', unknown>> | undefined): string {
  const cs = clusterSet ?? {};
  const part = (k: 'name' | 'group' | 'zone' | 'region', d: string) => (typeof cs[k] === 'string' && cs[k] !== '' ? (cs[k] as string) : d);
  return `${part('name', 'local')}.${part('group', 'default')}.${part('zone', 'default')}.${part('region', 'default')}`;
}

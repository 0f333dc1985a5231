/**
 * connector.flomesh.io/v1alpha1 ConsulConnector, EurekaConnector,
 * NacosConnector and ZookeeperConnector: FSM's connector kinds (its
 * pkg/apis/connector/v1alpha1), each starting a registry source (and, with
 * syncFromK8S, the registration of mesh services into the registry) at run
 * time. The schemas list the fields fsm-control-plane honours, with FSM's
 * required fields; FSM's other fields (gateway modes, replicas, resources,
 * leader election, conversion strategies) are accepted and ignored.
 */
import { s, type ObjectSchema, type Schema } from '../schema/dsl.js';
import type { KindDefinition } from './definition.js';

const metadata = s.array(s.object({ key: s.string({ minLength: 1 }), value: s.string() }, { required: ['key', 'value'] }));
const cidrs = s.array(s.cidr());
const namespaces = s.array(s.string(), { minItems: 1 });

function syncToK8S(extra: Record<string, Schema> = {}): ObjectSchema {
  return s.object(
    {
      enable: s.bool({ description: 'Read the registry into the mesh.' }),
      filterMetadatas: { ...metadata, description: 'Only instances with all these metadata entries.' },
      excludeMetadatas: { ...metadata, description: 'No instance with any of these metadata entries.' },
      filterIpRanges: { ...cidrs, description: 'Only instances whose address is in one of these CIDRs.' },
      excludeIpRanges: { ...cidrs, description: 'No instance whose address is in one of these CIDRs.' },
      ...extra,
    },
    { required: ['enable'] },
  );
}

function syncFromK8S(extra: Record<string, Schema> = {}): ObjectSchema {
  return s.object(
    {
      enable: s.bool({ description: 'Register mesh services into the registry.' }),
      defaultSync: s.bool({ description: 'Register every service unless annotated flomesh.io/service-sync-k8s-to-cloud: "false" (default true).' }),
      allowK8sNamespaces: { ...namespaces, description: 'Namespaces whose services are registered; "*" for all (default).' },
      denyK8sNamespaces: { ...namespaces, description: 'Namespaces whose services are never registered.' },
      addServicePrefix: s.string({ description: 'Prefix of the registered names.' }),
      addK8SNamespaceAsServiceSuffix: s.bool({ description: 'Register as <name>-<namespace>.' }),
      appendMetadatas: { ...metadata, description: 'Metadata added to every registration.' },
      ...extra,
    },
    { required: ['enable'] },
  );
}

function connector(kind: string, description: string, properties: Record<string, Schema>, required: string[] = []): KindDefinition {
  return {
    kind,
    description,
    spec: s.object(
      {
        httpAddr: s.string({ minLength: 1, description: 'The registry address.' }),
        deriveNamespace: s.string({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: 'The mesh namespace the registry services are placed in.' }),
        purge: s.bool({ description: 'Read nothing: remove every service this connector brought into the mesh.' }),
        syncPeriod: s.duration({ description: 'Poll period (Eureka, Nacos) or blocking-query wait (Consul); default 5s.' }),
        ...properties,
      },
      { required: ['deriveNamespace', 'httpAddr', 'syncFromK8S', 'syncToK8S', ...required] },
    ),
    specRequired: true,
  };
}

export const consulConnector = connector('ConsulConnector', 'Brings Consul services into the mesh and registers mesh services into Consul.', {
  auth: s.object({ username: s.string(), password: s.string() }),
  syncToK8S: syncToK8S({
    passingOnly: s.bool({ description: 'Only instances whose checks all pass (default true).' }),
    filterTag: s.string({ description: 'Only instances with this tag.' }),
  }),
  syncFromK8S: syncFromK8S({ appendTags: s.array(s.string(), { description: 'Tags added to every registration.' }) }),
});

export const eurekaConnector = connector('EurekaConnector', 'Brings Eureka services into the mesh and registers mesh services into Eureka.', {
  syncToK8S: syncToK8S(),
  syncFromK8S: syncFromK8S({ heartBeatPeriod: s.duration({ description: 'Lease renewal period (default 3s in FSM; 5s here when unset).' }) }),
});

export const nacosConnector = connector('NacosConnector', 'Brings Nacos services into the mesh and registers mesh services into Nacos.', {
  auth: s.object({ username: s.string(), password: s.string(), namespaceId: s.string({ description: 'Nacos namespace (default public).' }) }),
  syncToK8S: syncToK8S({
    clusterSet: s.array(s.string({ minLength: 1 }), { minItems: 1, description: 'Nacos clusters read (default DEFAULT).' }),
    groupSet: s.array(s.string({ minLength: 1 }), { minItems: 1, description: 'Nacos groups read (default DEFAULT_GROUP).' }),
  }),
  syncFromK8S: syncFromK8S({ clusterId: s.string(), groupId: s.string() }),
});

export const zookeeperConnector = connector('ZookeeperConnector', 'Brings services registered in ZooKeeper (Dubbo layout) into the mesh.', {
  basePath: s.string({ minLength: 1, description: 'The registry root, e.g. /dubbo.' }),
  category: s.string({ minLength: 1, description: 'The node holding instances, e.g. providers.' }),
  adaptor: s.string({ description: 'FSM adaptor name (dubbo); only the Dubbo layout is read.' }),
  auth: s.object({ password: s.string() }),
  syncToK8S: syncToK8S(),
  syncFromK8S: syncFromK8S(),
}, ['adaptor', 'basePath', 'category']);

/**
 * plugin.flomesh.io/v1alpha1 Plugin, PluginChain, PluginConfig and
 * multicluster.flomesh.io/v1alpha1 ServiceImport, ServiceExport,
 * GlobalTrafficPolicy.
 */
import { objectRef, s, type ObjectSchema } from '../schema/dsl.js';
import type { KindDefinition } from './definition.js';

const MOUNT_POINTS = ['inbound-tcp', 'inbound-http', 'outbound-tcp', 'outbound-http'];

const labelSelector: ObjectSchema = s.object({
  matchLabels: s.map(s.string()),
  matchExpressions: s.array(
    s.object(
      { key: s.string({ minLength: 1 }), operator: s.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: s.array(s.string()) },
      { required: ['key', 'operator'] },
    ),
  ),
});

export const plugin: KindDefinition = {
  kind: 'Plugin',
  description: 'A PipyJS script uploaded to the base codebase as plugins/<name>.js.',
  spec: s.object(
    {
      priority: s.number({ minimum: 0, description: 'Position in a chain; higher runs first.' }),
      pipyscript: s.string({ minLength: 1, description: 'The PipyJS source.' }),
    },
    { required: ['pipyscript'] },
  ),
  specRequired: true,
};

export const pluginChain: KindDefinition = {
  kind: 'PluginChain',
  description: 'Adds plugins to mount points of the proxies its selectors match.',
  spec: s.object(
    {
      chains: s.array(
        s.object({ name: s.enum(MOUNT_POINTS), plugins: s.array(s.string({ minLength: 1 }), { minItems: 1 }) }, { required: ['name', 'plugins'] }),
        { minItems: 1 },
      ),
      selectors: s.object({ podSelector: labelSelector, namespaceSelector: labelSelector }),
    },
    { required: ['chains'] },
  ),
  specRequired: true,
};

export const pluginConfig: KindDefinition = {
  kind: 'PluginConfig',
  description: 'Configuration of a plugin for destination services.',
  spec: s.object(
    {
      plugin: s.string({ minLength: 1 }),
      destinationRefs: s.array(objectRef(['Service'], { namespaceRequired: true }), { minItems: 1 }),
      config: s.any({ description: 'Free-form JSON handed to the plugin.' }),
    },
    { required: ['plugin', 'destinationRefs'] },
  ),
  specRequired: true,
};

const endpoint = s.object(
  {
    target: s.object({ host: s.string(), ip: s.ip(), port: s.port(), path: s.string() }, { required: ['ip', 'port'] }),
    clusterKey: s.string({ minLength: 1 }),
  },
  { required: ['target', 'clusterKey'] },
);

export const serviceImport: KindDefinition = {
  kind: 'ServiceImport',
  description: 'A service exported by other clusters, with its remote endpoints.',
  spec: s.object(
    {
      type: s.enum(['ClusterSetIP', 'Headless']),
      ports: s.array(
        s.object(
          { name: s.string(), port: s.port(), protocol: s.enum(['TCP', 'UDP', 'SCTP']), appProtocol: s.string(), endpoints: s.array(endpoint) },
          { required: ['port'] },
        ),
        { minItems: 1 },
      ),
      serviceAccountName: s.string(),
      ips: s.array(s.ip()),
    },
    { required: ['ports'] },
  ),
  specRequired: true,
};

export const serviceExport: KindDefinition = {
  kind: 'ServiceExport',
  description: 'Exports the service of the same name to other clusters.',
  spec: s.object({
    serviceAccountName: s.string(),
    pathRewrite: s.object({ from: s.string(), to: s.string() }),
    sessionSticky: s.bool(),
    loadBalancer: s.enum(['RoundRobinLoadBalancer', 'HashingLoadBalancer', 'LeastConnectionLoadBalancer']),
    rules: s.array(
      s.object({ portNumber: s.port(), path: s.string(), pathType: s.enum(['Exact', 'Prefix', 'ImplementationSpecific']) }, { required: ['portNumber'] }),
    ),
    targetClusters: s.array(s.string()),
  }),
};

export const globalTrafficPolicy: KindDefinition = {
  kind: 'GlobalTrafficPolicy',
  description: 'How traffic to the service of the same name spreads across clusters.',
  spec: s.object(
    {
      lbType: s.enum(['Locality', 'ActiveActive', 'FailOver']),
      targets: s.array(s.object({ clusterKey: s.string({ minLength: 1 }), weight: s.int({ minimum: 0 }) }, { required: ['clusterKey'] })),
    },
    { required: ['lbType'] },
  ),
  specRequired: true,
};

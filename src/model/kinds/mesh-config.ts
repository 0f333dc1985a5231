/**
 * The MeshConfig schema. Its shape is inferred from FSM's preset defaults
 * (meshConfigDefaults), so every field of the preset is typed exactly as its
 * default value; the overrides below refine what a default cannot say
 * (enums, durations, CIDRs, element types of empty lists, optional blocks).
 */
import { meshConfigDefaults } from '../mesh-config.js';
import { s, type Schema } from '../schema/dsl.js';
import type { KindDefinition } from './definition.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic', 'disabled'];
/**
 * Certificate lifetimes accepted (FSM's own validation sets no bounds). A
 * certificate is renewed at two thirds of its life, so below a minute the
 * mesh reloads continuously; above a year a stolen key stays good for too
 * long. Outside the range the MeshConfig is refused and the previous stays.
 */
const CERT_VALIDITY = ['1m', '8760h'] as const;
const ip = s.object({ ipv4: s.ip(), ipv6: s.ip() });
const resources = s.object({ limits: s.map(s.any({ intOrString: true })), requests: s.map(s.any({ intOrString: true })) });

// FSM's CRD requires every field of a chain entry.
const chain = s.array(s.object({ plugin: s.string({ minLength: 1 }), priority: s.number(), disable: s.bool() }, { required: ['disable', 'plugin', 'priority'] }));

const OVERRIDES: Record<string, Schema> = {
  'pluginChains.inbound-tcp': chain,
  'pluginChains.inbound-http': chain,
  'pluginChains.outbound-tcp': chain,
  'pluginChains.outbound-http': chain,
  'clusterSet.properties': s.array(s.object({ name: s.string({ minLength: 1 }), value: s.string() }, { required: ['name', 'value'] })),
  'sidecar.logLevel': s.enum(LOG_LEVELS),
  'sidecar.configResyncInterval': s.duration({ description: 'Periodic full resync; "0s" disables it.' }),
  'sidecar.localProxyMode': s.enum(['Localhost', 'PodIP']),
  'sidecar.sidecarTimeout': s.int({ minimum: 0, description: 'Seconds.' }),
  'sidecar.maxDataPlaneConnections': s.int({ minimum: 0, description: '0 means unlimited.' }),
  'sidecar.localDNSProxy.wildcard.los': s.array(s.string()),
  'sidecar.localDNSProxy.wildcard.ips': s.array(ip),
  'sidecar.localDNSProxy.db': s.array(s.object({ dn: s.string({ minLength: 1 }), ips: s.array(ip) }, { required: ['dn'] })),
  'sidecar.xnetDNSProxy.upstreams': s.array(s.object({ name: s.string({ minLength: 1 }), namespace: s.string(), port: s.port() }, { required: ['name'] })),
  'sidecar.resources': resources,
  'sidecar.initResources': resources,
  'sidecar.healthcheckResources': resources,
  'sidecar.tlsMinProtocolVersion': s.enum(['TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3']),
  'sidecar.tlsMaxProtocolVersion': s.enum(['TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3']),
  'sidecar.cipherSuites': s.array(s.string()),
  'sidecar.ecdhCurves': s.array(s.string()),
  'repoServer.port': s.port(),
  'traffic.interceptionMode': s.enum(['PodLevel', 'NodeLevel']),
  'traffic.serviceAccessMode': s.enum(['mixed', 'ip', 'domain']),
  'traffic.outboundPortExclusionList': s.array(s.port()),
  'traffic.inboundPortExclusionList': s.array(s.port()),
  'traffic.outboundIPRangeExclusionList': s.array(s.cidr()),
  'traffic.outboundIPRangeInclusionList': s.array(s.cidr()),
  'traffic.networkInterfaceExclusionList': s.array(s.string()),
  'traffic.inboundExternalAuthorization.timeout': s.duration(),
  'warmup.duration': s.duration(),
  'warmup.minWeight': s.int({ minimum: 0, maximum: 100 }),
  'warmup.maxWeight': s.int({ minimum: 0, maximum: 100 }),
  'warmup.aggression': s.number({ minimum: 0, exclusiveMinimum: true }),
  'observability.fsmLogLevel': s.enum(LOG_LEVELS),
  'certificate.serviceCertValidityDuration': s.duration({ description: 'Validity of workload certificates, e.g. "24h".', durationRange: CERT_VALIDITY, code: 'E4014' }),
  'certificate.certKeyBitSize': s.int({ minimum: 2048, maximum: 4096 }),
  'certificate.ingressGateway': s.object(
    {
      subjectAltNames: s.array(s.string()),
      validityDuration: s.duration({ durationRange: CERT_VALIDITY, code: 'E4014' }),
      secret: s.object({ name: s.string({ minLength: 1 }), namespace: s.string({ minLength: 1 }) }, { required: ['name', 'namespace'] }),
    },
    { required: ['subjectAltNames', 'validityDuration', 'secret'] },
  ),
  'ingress.logLevel': s.enum(LOG_LEVELS),
  'gatewayAPI.logLevel': s.enum(LOG_LEVELS),
  'gatewayAPI.fgwLogLevel': s.enum(LOG_LEVELS),
  'gatewayAPI.sslPassthroughUpstreamPort': s.port(),
  'egressGateway.logLevel': s.enum(LOG_LEVELS),
  'egressGateway.mode': s.enum(['http2tunnel', 'sock5']),
  'flb.upstreamMode': s.enum(['NodePort', 'Endpoint']),
  'image.name': s.map(s.string()),
  'image.digest': s.map(s.string()),
  'image.pullPolicy': s.enum(['Always', 'IfNotPresent', 'Never']),
  'connector.lb.type': s.enum(['ActiveActive', 'FailOver']),
  'connector.lb.slaveNamespaces': s.array(s.string()),
};

function infer(value: unknown, path: string): Schema {
  const override = OVERRIDES[path];
  if (override) return override;
  if (typeof value === 'boolean') return s.bool();
  if (typeof value === 'number') return Number.isInteger(value) ? s.int() : s.number();
  if (typeof value === 'string') return s.string();
  if (Array.isArray(value)) {
    if (value.length === 0) throw new Error(`MeshConfig schema: no element type for empty list ${path}`);
    return s.array(infer(value[0], `${path}[]`));
  }
  const obj = value as Record<string, unknown>;
  const props: Record<string, Schema> = {};
  for (const [k, v] of Object.entries(obj)) props[k] = infer(v, path ? `${path}.${k}` : k);
  // Optional blocks that the preset leaves out still get their schema.
  for (const [p, schema] of Object.entries(OVERRIDES)) {
    const prefix = path ? `${path}.` : '';
    if (p.startsWith(prefix) && !p.slice(prefix.length).includes('.') && !(p.slice(prefix.length) in props)) {
      props[p.slice(prefix.length)] = schema;
    }
  }
  return s.object(props);
}

export const meshConfig: KindDefinition = {
  kind: 'MeshConfig',
  description: 'Mesh-wide settings (singleton fsm-mesh-config in the control-plane namespace); absent fields take the preset defaults.',
  spec: infer(meshConfigDefaults(), '') as ReturnType<typeof s.object>,
  specRequired: true,
};

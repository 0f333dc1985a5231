/**
 * policy.flomesh.io/v1alpha1 kinds: Egress, EgressGateway, IngressBackend,
 * AccessControl, Retry, UpstreamTrafficSetting, Isolation, TrafficWarmup.
 */
import { objectRef, s } from '../schema/dsl.js';
import { isCIDR } from '../schema/ip.js';
import type { FieldError } from '../schema/validate.js';
import type { KindDefinition } from './definition.js';

const protocol = s.enum(['http', 'https', 'tcp', 'tcp-server-first', 'grpc', 'udp'], { description: 'Application protocol.' });
const portSpec = s.object({ number: s.port(), protocol }, { required: ['number', 'protocol'] });

const mtls = s.object({
  issuer: s.enum(['fsm', 'other'], { description: 'Who issued the client certificate.' }),
  cert: s.object({
    sn: s.int({ minimum: 0 }),
    expiration: s.string(),
    subjectAltNames: s.array(s.string()),
    secret: s.object({ name: s.string({ minLength: 1 }), namespace: s.string({ minLength: 1 }) }, { required: ['name', 'namespace'] }),
  }),
});

const routeMatch = s.object(
  {
    apiGroup: s.enum(['specs.smi-spec.io/v1alpha4', 'policy.flomesh.io/v1alpha1'], { code: 'E2003' }),
    kind: s.enum(['HTTPRouteGroup', 'UpstreamTrafficSetting'], { code: 'E2003' }),
    name: s.string({ minLength: 1 }),
  },
  { required: ['apiGroup', 'kind', 'name'] },
);

export const egress: KindDefinition = {
  kind: 'Egress',
  description: 'Allows source identities to reach destinations outside the mesh by host, IP range and port.',
  spec: s.object(
    {
      sources: s.array(
        s.object(
          { kind: s.enum(['ServiceAccount']), name: s.string({ minLength: 1 }), namespace: s.string({ minLength: 1 }), mtls },
          { required: ['kind', 'name', 'namespace'] },
        ),
        { minItems: 1 },
      ),
      hosts: s.array(s.string({ minLength: 1 }), { description: 'External hostnames.' }),
      ipAddresses: s.array(s.cidr(), { description: 'External IP ranges in CIDR notation.' }),
      ports: s.array(portSpec, { minItems: 1 }),
      matches: s.array(routeMatch),
    },
    { required: ['sources', 'ports'] },
  ),
  specRequired: true,
};

const gatewayRef = s.object(
  { service: s.string({ minLength: 1 }), namespace: s.string({ minLength: 1 }), weight: s.int({ minimum: 0 }) },
  { required: ['service', 'namespace'] },
);

export const egressGateway: KindDefinition = {
  kind: 'EgressGateway',
  description: 'Routes egress traffic through egress gateway services.',
  spec: s.object({
    global: s.array(gatewayRef),
    rules: s.array(
      s.object(
        {
          name: s.string(),
          egressPolicies: s.array(objectRef(['Egress'], { namespaceRequired: true })),
          egressGateways: s.array(gatewayRef, { minItems: 1 }),
        },
        { required: ['egressPolicies', 'egressGateways'] },
      ),
    ),
    matches: s.array(s.object({ apiGroup: s.string(), kind: s.string({ minLength: 1 }), name: s.string({ minLength: 1 }) }, { required: ['kind', 'name'] })),
  }),
  specRequired: true,
};

const backend = s.object(
  {
    name: s.string({ minLength: 1, description: 'A service in the same namespace.' }),
    port: portSpec,
    tls: s.object({ skipClientCertValidation: s.bool(), sniHosts: s.array(s.string()) }, { required: ['skipClientCertValidation'] }),
  },
  { required: ['name', 'port'] },
);
const policySource = s.object(
  {
    kind: s.enum(['Service', 'IPRange', 'AuthenticatedPrincipal'], { description: 'Service, IPRange (a CIDR) or AuthenticatedPrincipal.' }),
    name: s.string({ minLength: 1 }),
    namespace: s.string(),
  },
  { required: ['kind', 'name'] },
);

function checkSources(obj: { spec?: unknown }): FieldError[] {
  const sources = (obj.spec as { sources?: { kind?: string; name?: string; namespace?: string }[] } | undefined)?.sources ?? [];
  const errs: FieldError[] = [];
  for (const [i, src] of sources.entries()) {
    if (src.kind === 'IPRange' && typeof src.name === 'string') {
      if (!isCIDR(src.name)) {
        errs.push({ field: `spec.sources[${i}].name`, reason: `Invalid value: "${src.name}": IPRange source must be a CIDR in RFC 4632 notation such as "192.0.2.0/24"`, code: 'E2002' });
      }
    }
    if (src.kind === 'Service' && !src.namespace) {
      errs.push({ field: `spec.sources[${i}].namespace`, reason: 'Required value: a Service source needs a namespace' });
    }
  }
  return errs;
}

const ingressLike = (kind: string, description: string): KindDefinition => ({
  kind,
  description,
  spec: s.object(
    { backends: s.array(backend, { minItems: 1 }), sources: s.array(policySource, { minItems: 1 }), matches: s.array(routeMatch) },
    { required: ['backends', 'sources'] },
  ),
  specRequired: true,
  check: checkSources,
});

export const ingressBackend = ingressLike('IngressBackend', 'Allows ingress sources to reach backend services of its namespace.');
export const accessControl = ingressLike('AccessControl', 'Allows unmeshed sources to reach backend services of its namespace.');

export const retry: KindDefinition = {
  kind: 'Retry',
  description: 'Retry policy for requests from a source identity to destination services.',
  spec: s.object(
    {
      source: objectRef(['ServiceAccount'], { namespaceRequired: true }),
      destinations: s.array(objectRef(['Service'], { namespaceRequired: true }), { minItems: 1 }),
      retryPolicy: s.object(
        {
          retryOn: s.string({ minLength: 1, description: 'Comma-separated conditions, e.g. "5xx,429".' }),
          perTryTimeout: s.duration({ description: 'Timeout per attempt, a Go duration.' }),
          numRetries: s.int({ minimum: 0 }),
          retryBackoffBaseInterval: s.duration({ description: 'Base back-off interval, a Go duration.' }),
        },
        { required: ['retryOn'] },
      ),
    },
    { required: ['source', 'destinations', 'retryPolicy'] },
  ),
  specRequired: true,
};

const rateUnit = s.enum(['second', 'minute', 'hour'], { description: 'Period of the rate.' });
const httpRateLimit = s.object(
  {
    requests: s.int({ minimum: 0, description: 'Requests allowed per unit.' }),
    unit: rateUnit,
    burst: s.int({ minimum: 0 }),
    responseStatusCode: s.int({ minimum: 400, maximum: 599, description: 'Status of rate-limited responses (400-599).' }),
    responseHeadersToAdd: s.array(s.object({ name: s.string({ minLength: 1 }), value: s.string() }, { required: ['name', 'value'] })),
  },
  { required: ['requests', 'unit'] },
);

export const upstreamTrafficSetting: KindDefinition = {
  kind: 'UpstreamTrafficSetting',
  description: 'Connection limits, circuit breaking and rate limits for an upstream service.',
  spec: s.object(
    {
      host: s.string({ minLength: 1, description: 'FQDN of a service in this namespace, e.g. <svc>.<ns>.svc.cluster.local.' }),
      connectionSettings: s.object({
        tcp: s.object({ maxConnections: s.int({ minimum: 0 }), connectTimeout: s.duration() }),
        http: s.object({
          maxRequests: s.int({ minimum: 0 }),
          maxRequestsPerConnection: s.int({ minimum: 0 }),
          maxPendingRequests: s.int({ minimum: 0 }),
          maxRetries: s.int({ minimum: 0 }),
          circuitBreaking: s.object({
            statTimeWindow: s.duration(),
            minRequestAmount: s.int({ minimum: 0 }),
            degradedTimeWindow: s.duration(),
            slowTimeThreshold: s.duration(),
            slowAmountThreshold: s.int({ minimum: 0 }),
            slowRatioThreshold: s.number({ minimum: 0, maximum: 1 }),
            errorAmountThreshold: s.int({ minimum: 0 }),
            errorRatioThreshold: s.number({ minimum: 0, maximum: 1 }),
            degradedStatusCode: s.int({ minimum: 400, maximum: 599 }),
            degradedResponseContent: s.string(),
          }),
        }),
      }),
      rateLimit: s.object({
        local: s.object({
          tcp: s.object(
            { connections: s.int({ minimum: 0 }), unit: rateUnit, burst: s.int({ minimum: 0 }) },
            { required: ['connections', 'unit'] },
          ),
          http: httpRateLimit,
        }),
      }),
      httpRoutes: s.array(
        s.object({ path: s.string({ minLength: 1 }), rateLimit: s.object({ local: httpRateLimit }) }, { required: ['path'] }),
      ),
    },
    { required: ['host'] },
  ),
  specRequired: true,
  check(obj) {
    const ns = obj.metadata.namespace ?? '';
    const host = String((obj.spec as { host?: unknown }).host);
    const parts = host.split('.');
    const ok = parts.length >= 3 && parts[0] !== '' && parts[1] === ns && parts[2] === 'svc' && parts.every((p) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p));
    return ok ? [] : [{ field: 'spec.host', reason: `Invalid value: "${host}": must be the FQDN of a service in namespace "${ns}", e.g. <service>.${ns}.svc.cluster.local` }];
  },
};

export const isolation: KindDefinition = {
  kind: 'Isolation',
  description: 'Removes proxies whose pod IP falls in one of the CIDRs from the mesh.',
  spec: s.object({ cidr: s.array(s.cidr(), { minItems: 1 }) }, { required: ['cidr'] }),
  specRequired: true,
};

export const trafficWarmup: KindDefinition = {
  kind: 'TrafficWarmup',
  description: 'Slow start for the endpoints of the service of the same name.',
  spec: s.object({
    enable: s.bool(),
    duration: s.duration(),
    minWeight: s.int({ minimum: 0, maximum: 100 }),
    maxWeight: s.int({ minimum: 0, maximum: 100 }),
    aggression: s.number({ minimum: 0, exclusiveMinimum: true }),
  }),
};

/**
 * FSM 1.3's gateway policies (gateway.flomesh.io/v1alpha1, policy
 * attachment by `targetRef`): RateLimit, SessionSticky, LoadBalancer,
 * CircuitBreaking, AccessControl, HealthCheck, FaultInjection, UpstreamTLS
 * and Retry. Bounds are the CRDs' (cmd/fsm-bootstrap/crds of FSM v1.3);
 * which targets a policy may name is checked here, whether the target exists
 * is a status condition.
 */
import { s, type ObjectSchema, type Schema } from '../schema/dsl.js';
import type { FieldError } from '../schema/validate.js';
import type { MeshObject } from '../types.js';
import type { KindDefinition } from './definition.js';

const GATEWAY_API = 'gateway.networking.k8s.io';

const targetRef = s.object(
  {
    group: s.string({ maxLength: 253, description: 'gateway.networking.k8s.io, "" (core) or flomesh.io.' }),
    kind: s.string({ minLength: 1, maxLength: 63 }),
    name: s.string({ minLength: 1, maxLength: 253 }),
    namespace: s.string({ minLength: 1, maxLength: 63 }),
  },
  { required: ['group', 'kind', 'name'] },
);

const header = s.object({ name: s.string({ minLength: 1, maxLength: 256 }), value: s.string({ maxLength: 4096 }) }, { required: ['name', 'value'] });
const valueMatch = s.object({ type: s.enum(['Exact', 'RegularExpression']), name: s.string({ minLength: 1 }), value: s.string({ minLength: 1 }) }, { required: ['name', 'value'] });
const httpMatch = s.object({
  path: s.object({ type: s.enum(['Exact', 'PathPrefix', 'RegularExpression']), value: s.string() }),
  headers: s.array(valueMatch),
  queryParams: s.array(valueMatch),
  method: s.string(),
});
const grpcMatch = s.object({ method: s.object({ type: s.enum(['Exact', 'RegularExpression']), service: s.string(), method: s.string() }), headers: s.array(valueMatch) });
const hostname = s.string({ minLength: 1, maxLength: 253 });

/** `ports` (one entry per port of the target), `hostnames`, `http`, `grpc` lists of a policy with config `config`. */
const perPort = (extra: Record<string, Schema>) => s.array(s.object({ port: s.port(), ...extra }, { required: ['port'] }));
const perHostname = (config: Schema) => s.array(s.object({ hostname, config }, { required: ['hostname'] }));
const perMatch = (match: Schema, config: Schema) => s.array(s.object({ match, config }, { required: ['match'] }));

const l7RateLimit = s.object(
  {
    mode: s.enum(['Local', 'Global'], { description: 'Default Local.' }),
    backlog: s.int({ minimum: 1, description: 'Requests allowed to wait; default 10.' }),
    requests: s.int({ minimum: 1, description: 'Requests allowed per statTimeWindow.' }),
    burst: s.int({ minimum: 1, description: 'Default: requests.' }),
    statTimeWindow: s.int({ minimum: 1, description: 'Seconds.' }),
    responseStatusCode: s.int({ minimum: 1, maximum: 10000, description: 'Default 429.' }),
    responseHeadersToAdd: s.array(header),
  },
  { required: ['requests', 'statTimeWindow'] },
);

const accessControlConfig = s.object({
  blacklist: s.array(s.string({ minLength: 1 }), { description: 'IP addresses or CIDRs refused.' }),
  whitelist: s.array(s.string({ minLength: 1 }), { description: 'IP addresses or CIDRs allowed.' }),
  enableXFF: s.bool({ description: 'Check the X-Forwarded-For addresses too.' }),
  statusCode: s.int({ minimum: 1, maximum: 10000, description: 'Default 403.' }),
  message: s.string(),
});

const unit = s.enum(['ms', 's', 'm', 'h', 'd']);
const faultInjectionConfig = s.object({
  delay: s.object({
    percent: s.int({ minimum: 0, maximum: 100 }),
    fixed: s.int({ minimum: 0 }),
    range: s.object({ min: s.int({ minimum: 0 }), max: s.int({ minimum: 1 }) }, { required: ['min', 'max'] }),
    unit,
  }),
  abort: s.object({ percent: s.int({ minimum: 0, maximum: 100 }), statusCode: s.int({ minimum: 1, maximum: 10000 }), message: s.string() }),
});

const sessionStickyConfig = s.object({ cookieName: s.string({ minLength: 1, description: 'Default _srv_id.' }), expires: s.int({ minimum: 1, description: 'Seconds; default 3600.' }) });
const lbType = s.enum(['RoundRobinLoadBalancer', 'HashingLoadBalancer', 'LeastConnectionLoadBalancer']);
const circuitBreakingConfig = s.object(
  {
    minRequestAmount: s.int({ minimum: 1 }),
    statTimeWindow: s.int({ minimum: 1, description: 'Seconds.' }),
    slowTimeThreshold: s.number({ minimum: 0.0001, description: 'Seconds.' }),
    slowAmountThreshold: s.int({ minimum: 1 }),
    slowRatioThreshold: s.number({ minimum: 0, maximum: 1 }),
    errorAmountThreshold: s.int({ minimum: 1 }),
    errorRatioThreshold: s.number({ minimum: 0, maximum: 1 }),
    degradedTimeWindow: s.int({ minimum: 1, description: 'Seconds.' }),
    degradedStatusCode: s.int({ minimum: 1, maximum: 10000 }),
    degradedResponseContent: s.string(),
  },
  { required: ['minRequestAmount', 'statTimeWindow', 'degradedTimeWindow', 'degradedStatusCode'] },
);
const healthCheckConfig = s.object(
  {
    interval: s.int({ minimum: 1, description: 'Seconds.' }),
    maxFails: s.int({ minimum: 0 }),
    failTimeout: s.int({ minimum: 0, description: 'Seconds.' }),
    path: s.string(),
    matches: s.array(s.object({ statusCodes: s.array(s.int({ minimum: 100, maximum: 599 })), body: s.string(), headers: s.array(header) })),
  },
  { required: ['interval', 'maxFails'] },
);
const upstreamTLSConfig = s.object(
  {
    certificateRef: s.object({ group: s.string(), kind: s.string(), name: s.string({ minLength: 1 }), namespace: s.string({ minLength: 1 }) }, { required: ['name'] }),
    mTLS: s.bool({ description: 'Present the certificate to the upstream (mutual TLS).' }),
  },
  { required: ['certificateRef'] },
);
const retryConfig = s.object(
  {
    retryOn: s.array(s.string({ pattern: '^[1-5]([0-9]{2}|xx)$', description: 'A status code or class such as 5xx.' }), { minItems: 1 }),
    numRetries: s.int({ minimum: 1, description: 'Default 3.' }),
    backoffBaseInterval: s.number({ minimum: 0.001, description: 'Seconds; default 1.' }),
  },
  { required: ['retryOn'] },
);

type Targets = readonly (readonly [string, string])[];
const GATEWAY: Targets = [[GATEWAY_API, 'Gateway']];
const ROUTES: Targets = [[GATEWAY_API, 'HTTPRoute'], [GATEWAY_API, 'GRPCRoute']];
const SERVICES: Targets = [['', 'Service'], ['flomesh.io', 'ServiceImport']];

/** The target kinds a policy accepts and which of its lists go with which. */
function checkTarget(obj: MeshObject, allowed: Targets, listsFor: (kind: string) => readonly string[]): FieldError[] {
  const spec = obj.spec as Record<string, unknown> & { targetRef: { group: string; kind: string } };
  const { group, kind } = spec.targetRef;
  if (!allowed.some(([g, k]) => g === group && k === kind)) {
    return [{ field: 'spec.targetRef', reason: `Unsupported value: ${JSON.stringify(`${group}/${kind}`)}: supported values: ${allowed.map(([g, k]) => `"${g}/${k}"`).join(', ')}` }];
  }
  const mine = listsFor(kind);
  const errs: FieldError[] = [];
  for (const list of ['ports', 'hostnames', 'http', 'grpc']) {
    const v = spec[list];
    if (Array.isArray(v) && v.length > 0 && !mine.includes(list)) errs.push({ field: `spec.${list}`, reason: `Forbidden: not allowed when targetRef is a ${kind}` });
  }
  if (!mine.some((l) => Array.isArray(spec[l]) && (spec[l] as unknown[]).length > 0)) {
    errs.push({ field: 'spec', reason: `Required value: a ${kind} target needs at least one of ${mine.map((l) => `spec.${l}`).join(', ')}` });
  }
  return errs;
}

const l7Lists = (kind: string): readonly string[] => (kind === 'Gateway' ? ['ports'] : kind === 'HTTPRoute' ? ['hostnames', 'http'] : ['hostnames', 'grpc']);

const l7Policy = (kind: string, description: string, props: Record<string, Schema>, targets: Targets): KindDefinition => ({
  kind,
  description,
  spec: s.object({ targetRef, ...props }, { required: ['targetRef'] }),
  specRequired: true,
  status: true,
  check: (obj) => checkTarget(obj, targets, l7Lists),
});

export const rateLimitPolicy = l7Policy(
  'RateLimitPolicy',
  'Rate limits: bytes per second of Gateway ports; requests per time window of route hostnames and matches.',
  {
    ports: perPort({ bps: s.int({ minimum: 1, description: 'Bytes per second.' }) }),
    bps: s.int({ minimum: 1, description: 'Default bytes per second of the listed ports.' }),
    hostnames: perHostname(l7RateLimit),
    http: perMatch(httpMatch, l7RateLimit),
    grpc: perMatch(grpcMatch, l7RateLimit),
    config: l7RateLimit,
  },
  [...GATEWAY, ...ROUTES],
);

export const accessControlPolicy = l7Policy(
  'AccessControlPolicy',
  'IP allow and deny lists of Gateway ports, route hostnames and matches.',
  {
    ports: perPort({ config: accessControlConfig }),
    hostnames: perHostname(accessControlConfig),
    http: perMatch(httpMatch, accessControlConfig),
    grpc: perMatch(grpcMatch, accessControlConfig),
    config: accessControlConfig,
  },
  [...GATEWAY, ...ROUTES],
);

export const faultInjectionPolicy = l7Policy(
  'FaultInjectionPolicy',
  'Delays and aborts a percentage of the requests of route hostnames and matches.',
  {
    hostnames: perHostname(faultInjectionConfig),
    http: perMatch(httpMatch, faultInjectionConfig),
    grpc: perMatch(grpcMatch, faultInjectionConfig),
    config: faultInjectionConfig,
    unit,
  },
  ROUTES,
);

const servicePolicy = (kind: string, description: string, portProps: Record<string, Schema>, defaults: Record<string, Schema>): KindDefinition => ({
  kind,
  description,
  spec: s.object({ targetRef, ports: perPort(portProps), ...defaults }, { required: ['targetRef', 'ports'] }) as ObjectSchema,
  specRequired: true,
  status: true,
  check: (obj) => checkTarget(obj, SERVICES, () => ['ports']),
});

export const sessionStickyPolicy = servicePolicy('SessionStickyPolicy', 'Cookie-based session stickiness for ports of a Service.', { config: sessionStickyConfig }, { config: sessionStickyConfig });
export const loadBalancerPolicy = servicePolicy('LoadBalancerPolicy', 'The load-balancing algorithm for ports of a Service.', { type: lbType }, { type: lbType });
export const circuitBreakingPolicy = servicePolicy('CircuitBreakingPolicy', 'Circuit breaking on slow or failing requests for ports of a Service.', { config: circuitBreakingConfig }, { config: circuitBreakingConfig });
export const healthCheckPolicy = servicePolicy('HealthCheckPolicy', 'Active health checks of the endpoints of ports of a Service.', { config: healthCheckConfig }, { config: healthCheckConfig });
export const upstreamTLSPolicy = servicePolicy('UpstreamTLSPolicy', 'TLS (and mutual TLS) from the gateway to ports of a Service.', { config: upstreamTLSConfig }, { config: upstreamTLSConfig });
export const retryPolicy = servicePolicy('RetryPolicy', 'Retries of requests to ports of a Service on the listed response codes.', { config: retryConfig }, { config: retryConfig });

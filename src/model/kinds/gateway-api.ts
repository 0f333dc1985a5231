/**
 * Gateway API kinds (gateway.networking.k8s.io, the fields of gateway-api
 * v1.1 that FSM 1.3 reads): GatewayClass, Gateway, HTTPRoute, GRPCRoute,
 * ReferenceGrant, TLSRoute, TCPRoute, UDPRoute. The checks are the CRDs'
 * validation rules (CEL) the schema language cannot say; what the API server
 * admits but the specification answers with a status condition (a listener
 * conflict, a missing backend) is left to status, not refused here.
 */
import { s, type ObjectSchema, type Schema } from '../schema/dsl.js';
import type { FieldError } from '../schema/validate.js';
import type { MeshObject } from '../types.js';
import type { KindDefinition } from './definition.js';

const HOSTNAME = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const PRECISE_HOSTNAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const HEADER_NAME = '^[A-Za-z0-9!#$%&\'*+\\-.^_`|~]+$';

const hostname = s.string({ minLength: 1, maxLength: 253, pattern: HOSTNAME, description: 'A hostname; a leading "*." label is a wildcard.' });
const preciseHostname = s.string({ minLength: 1, maxLength: 253, pattern: PRECISE_HOSTNAME });
const name = s.string({ minLength: 1, maxLength: 253 });
const group = s.string({ maxLength: 253, description: 'API group of the referent; "" is the core group.' });
const kindName = s.string({ minLength: 1, maxLength: 63 });

const objectReference = (description: string): ObjectSchema =>
  s.object({ group, kind: kindName, name, namespace: s.string({ minLength: 1, maxLength: 63 }) }, { required: ['name'], description });

const labelSelector = s.object({
  matchLabels: s.map(s.string()),
  matchExpressions: s.array(
    s.object({ key: s.string({ minLength: 1 }), operator: s.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: s.array(s.string()) }, { required: ['key', 'operator'] }),
  ),
});

const listener = s.object(
  {
    name: s.string({ minLength: 1, maxLength: 253, pattern: PRECISE_HOSTNAME, description: 'Unique within the Gateway.' }),
    hostname,
    port: s.port(),
    protocol: s.string({ minLength: 1, maxLength: 255, description: 'HTTP, HTTPS, TLS, TCP or UDP.' }),
    tls: s.object({
      mode: s.enum(['Terminate', 'Passthrough']),
      certificateRefs: s.array(objectReference('A Secret of type kubernetes.io/tls.')),
      frontendValidation: s.object({ caCertificateRefs: s.array(objectReference('A Secret holding ca.crt.')) }),
      options: s.map(s.string(), { description: 'Implementation options; gateway.flomesh.io/mtls: "true" verifies client certificates.' }),
    }),
    allowedRoutes: s.object({
      namespaces: s.object({ from: s.enum(['All', 'Same', 'Selector']), selector: labelSelector }),
      kinds: s.array(s.object({ group, kind: kindName }, { required: ['kind'] })),
    }),
  },
  { required: ['name', 'port', 'protocol'] },
);

const parentRef = s.object(
  { group, kind: kindName, namespace: s.string({ minLength: 1, maxLength: 63 }), name, sectionName: s.string({ minLength: 1, maxLength: 253 }), port: s.port() },
  { required: ['name'] },
);

const backendRef = (extra: Record<string, Schema> = {}): ObjectSchema =>
  s.object(
    {
      group,
      kind: kindName,
      name,
      namespace: s.string({ minLength: 1, maxLength: 63 }),
      port: s.port(),
      weight: s.int({ minimum: 0, maximum: 1000000, description: 'Proportion of requests; 0 sends none. Default 1.' }),
      ...extra,
    },
    { required: ['name'] },
  );

const header = s.object({ name: s.string({ minLength: 1, maxLength: 256, pattern: HEADER_NAME }), value: s.string({ maxLength: 4096 }) }, { required: ['name', 'value'] });
const headerModifier = s.object({ set: s.array(header), add: s.array(header), remove: s.array(s.string({ minLength: 1 })) });
const pathModifier = s.object(
  { type: s.enum(['ReplaceFullPath', 'ReplacePrefixMatch']), replaceFullPath: s.string({ maxLength: 1024 }), replacePrefixMatch: s.string({ maxLength: 1024 }) },
  { required: ['type'] },
);

const filter = (types: readonly string[]): ObjectSchema =>
  s.object(
    {
      type: s.enum(types),
      requestHeaderModifier: headerModifier,
      responseHeaderModifier: headerModifier,
      requestMirror: s.object({ backendRef: backendRef() }, { required: ['backendRef'] }),
      requestRedirect: s.object({
        scheme: s.enum(['http', 'https']),
        hostname: preciseHostname,
        path: pathModifier,
        port: s.port(),
        statusCode: s.int({ description: '301 or 302 (default 302).' }),
      }),
      urlRewrite: s.object({ hostname: preciseHostname, path: pathModifier }),
      extensionRef: s.object({ group, kind: kindName, name }, { required: ['group', 'kind', 'name'] }),
    },
    { required: ['type'] },
  );

const HTTP_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'ExtensionRef'];
const GRPC_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'ExtensionRef'];
const valueMatch = s.object({ type: s.enum(['Exact', 'RegularExpression']), name: s.string({ minLength: 1, maxLength: 256 }), value: s.string({ minLength: 1, maxLength: 4096 }) }, { required: ['name', 'value'] });

const httpMatch = s.object({
  path: s.object({ type: s.enum(['Exact', 'PathPrefix', 'RegularExpression']), value: s.string({ maxLength: 1024 }) }),
  headers: s.array(valueMatch),
  queryParams: s.array(valueMatch),
  method: s.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']),
});
const grpcMatch = s.object({
  method: s.object({ type: s.enum(['Exact', 'RegularExpression']), service: s.string({ maxLength: 1024 }), method: s.string({ maxLength: 1024 }) }),
  headers: s.array(valueMatch),
});

const routeBase = { parentRefs: s.array(parentRef), hostnames: s.array(hostname) };

export const gatewayClass: KindDefinition = {
  kind: 'GatewayClass',
  description: 'A class of Gateways; this controller owns the classes whose controllerName is flomesh.io/gateway-controller.',
  spec: s.object(
    { controllerName: s.string({ minLength: 1, maxLength: 253 }), description: s.string({ maxLength: 64 }), parametersRef: objectReference('Implementation parameters.') },
    { required: ['controllerName'] },
  ),
  specRequired: true,
  status: true,
};

function checkGateway(obj: MeshObject): FieldError[] {
  const listeners = (obj.spec as { listeners?: { name?: string; protocol?: string; tls?: unknown; hostname?: string }[] }).listeners ?? [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  listeners.forEach((l, i) => {
    if (l.name !== undefined && seen.has(l.name)) errs.push({ field: `spec.listeners[${i}].name`, reason: `Duplicate value: "${l.name}": listener names must be unique within the Gateway` });
    if (l.name !== undefined) seen.add(l.name);
    if ((l.protocol === 'HTTPS' || l.protocol === 'TLS') && !l.tls) errs.push({ field: `spec.listeners[${i}].tls`, reason: `Required value: tls must be specified for protocol ${l.protocol}` });
    if ((l.protocol === 'HTTP' || l.protocol === 'TCP' || l.protocol === 'UDP') && l.tls) errs.push({ field: `spec.listeners[${i}].tls`, reason: `Forbidden: tls must not be specified for protocol ${l.protocol}` });
    if ((l.protocol === 'TCP' || l.protocol === 'UDP') && l.hostname) errs.push({ field: `spec.listeners[${i}].hostname`, reason: `Forbidden: hostname must not be specified for protocol ${l.protocol}` });
  });
  return errs;
}

export const gateway: KindDefinition = {
  kind: 'Gateway',
  description: 'A gateway: listeners (port, protocol, hostname, TLS) that routes attach to. FSM runs one Pipy gateway per Gateway of its class.',
  spec: s.object(
    {
      gatewayClassName: s.string({ minLength: 1, maxLength: 253 }),
      listeners: s.array(listener, { minItems: 1 }),
      addresses: s.array(s.object({ type: s.string(), value: s.string({ minLength: 1 }) }, { required: ['value'] })),
      infrastructure: s.object({ labels: s.map(s.string()), annotations: s.map(s.string()) }),
    },
    { required: ['gatewayClassName', 'listeners'] },
  ),
  specRequired: true,
  status: true,
  check: checkGateway,
};

type Filter = { type?: string; requestHeaderModifier?: unknown; responseHeaderModifier?: unknown; requestMirror?: unknown; requestRedirect?: unknown; urlRewrite?: unknown; extensionRef?: unknown };
const FILTER_FIELD: Record<string, keyof Filter> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
};

/** The CRD's filter rules: the field of the type is set and no other; one of each type but RequestMirror; not both a redirect and a rewrite. */
function checkFilters(filters: readonly Filter[] | undefined, path: string, errs: FieldError[]): void {
  if (!filters) return;
  const counts = new Map<string, number>();
  filters.forEach((f, i) => {
    const own = FILTER_FIELD[f.type ?? ''];
    for (const field of Object.values(FILTER_FIELD)) {
      const set = f[field] !== undefined && f[field] !== null;
      if (field === own && !set) errs.push({ field: `${path}[${i}].${field}`, reason: `Required value: filter of type ${f.type} needs ${field}` });
      if (field !== own && set) errs.push({ field: `${path}[${i}].${field}`, reason: `Forbidden: must not be set for filter type ${f.type}` });
    }
    counts.set(f.type ?? '', (counts.get(f.type ?? '') ?? 0) + 1);
  });
  for (const [type, n] of counts) {
    if (n > 1 && type !== 'RequestMirror' && type !== 'ExtensionRef') errs.push({ field: path, reason: `Invalid value: ${type} filter cannot be repeated` });
  }
  if (counts.has('RequestRedirect') && counts.has('URLRewrite')) errs.push({ field: path, reason: 'Invalid value: may specify either RequestRedirect or URLRewrite, but not both' });
}

function checkPathModifier(mod: { type?: string; replaceFullPath?: string; replacePrefixMatch?: string } | undefined, field: string, prefixMatch: boolean, errs: FieldError[]): void {
  if (!mod) return;
  if (mod.type === 'ReplaceFullPath' && mod.replaceFullPath === undefined) errs.push({ field: `${field}.replaceFullPath`, reason: 'Required value: replaceFullPath must be specified when type is ReplaceFullPath' });
  if (mod.type === 'ReplacePrefixMatch' && mod.replacePrefixMatch === undefined) errs.push({ field: `${field}.replacePrefixMatch`, reason: 'Required value: replacePrefixMatch must be specified when type is ReplacePrefixMatch' });
  if (mod.type === 'ReplacePrefixMatch' && !prefixMatch) errs.push({ field, reason: 'Invalid value: ReplacePrefixMatch needs every match of the rule to be a PathPrefix path match' });
}

/** Characters the Gateway API CRD allows in an Exact or PathPrefix value (RFC 3986 path characters and percent-escapes). */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/**
 * Why an Exact or PathPrefix value is refused, as the Gateway API CRD's
 * validation rules state it, or undefined. Paths that a proxy would
 * normalise differently from how they are matched (`//`, dot segments, an
 * escaped slash) could let a request slip past a more specific route.
 */
function pathValueProblem(v: string): string | undefined {
  if (!v.startsWith('/')) return 'must be an absolute path';
  if (v.includes('//')) return "must not contain '//'";
  if (v.includes('/./')) return "must not contain '/./'";
  if (v.includes('/../')) return "must not contain '/../'";
  if (/%2f/i.test(v)) return "must not contain '%2f' or '%2F'";
  if (v.includes('#')) return "must not contain '#'";
  if (v.endsWith('/..')) return "must not end with '/..'";
  if (v.endsWith('/.')) return "must not end with '/.'";
  if (!PATH_CHARS.test(v)) return "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)";
  return undefined;
}

function checkHTTPRoute(obj: MeshObject): FieldError[] {
  type Rule = { matches?: { path?: { type?: string; value?: string } }[]; filters?: (Filter & { requestRedirect?: { path?: never; statusCode?: number }; urlRewrite?: { path?: never } })[]; backendRefs?: { filters?: Filter[] }[] };
  const rules = (obj.spec as { rules?: Rule[] }).rules ?? [];
  const errs: FieldError[] = [];
  rules.forEach((rule, r) => {
    const base = `spec.rules[${r}]`;
    const matches = rule.matches ?? [];
    matches.forEach((m, i) => {
      const v = m.path?.value;
      if (v === undefined || m.path?.type === 'RegularExpression') return;
      const reason = pathValueProblem(v);
      if (reason) errs.push({ field: `${base}.matches[${i}].path.value`, reason: `Invalid value: "${v}": ${reason}` });
    });
    const prefixOnly = matches.length === 0 || matches.every((m) => (m.path?.type ?? 'PathPrefix') === 'PathPrefix');
    checkFilters(rule.filters, `${base}.filters`, errs);
    (rule.filters ?? []).forEach((f, i) => {
      checkPathModifier((f.requestRedirect as { path?: never } | undefined)?.path, `${base}.filters[${i}].requestRedirect.path`, prefixOnly, errs);
      checkPathModifier((f.urlRewrite as { path?: never } | undefined)?.path, `${base}.filters[${i}].urlRewrite.path`, prefixOnly, errs);
      const code = (f.requestRedirect as { statusCode?: number } | undefined)?.statusCode;
      if (code !== undefined && code !== 301 && code !== 302) errs.push({ field: `${base}.filters[${i}].requestRedirect.statusCode`, reason: `Unsupported value: ${code}: supported values: 301, 302` });
    });
    (rule.backendRefs ?? []).forEach((b, i) => checkFilters(b.filters, `${base}.backendRefs[${i}].filters`, errs));
  });
  return errs;
}

export const httpRoute: KindDefinition = {
  kind: 'HTTPRoute',
  description: 'Routes HTTP requests matched by path, headers, query parameters and method to weighted backends.',
  spec: s.object({
    ...routeBase,
    rules: s.array(
      s.object({
        matches: s.array(httpMatch),
        filters: s.array(filter(HTTP_FILTERS)),
        backendRefs: s.array(backendRef({ filters: s.array(filter(HTTP_FILTERS)) })),
      }),
    ),
  }),
  status: true,
  check: checkHTTPRoute,
};

export const grpcRoute: KindDefinition = {
  kind: 'GRPCRoute',
  description: 'Routes gRPC requests matched by service, method and headers to weighted backends.',
  spec: s.object({
    ...routeBase,
    rules: s.array(
      s.object({
        matches: s.array(grpcMatch),
        filters: s.array(filter(GRPC_FILTERS)),
        backendRefs: s.array(backendRef({ filters: s.array(filter(GRPC_FILTERS)) })),
      }),
    ),
  }),
  status: true,
  check(obj) {
    const rules = (obj.spec as { rules?: { matches?: { method?: { type?: string; service?: string; method?: string } }[]; filters?: Filter[] }[] }).rules ?? [];
    const errs: FieldError[] = [];
    rules.forEach((rule, r) => {
      checkFilters(rule.filters, `spec.rules[${r}].filters`, errs);
      (rule.matches ?? []).forEach((m, i) => {
        if (m.method && !m.method.service && !m.method.method) errs.push({ field: `spec.rules[${r}].matches[${i}].method`, reason: 'Required value: one or both of service and method must be specified' });
      });
    });
    return errs;
  },
};

const l4Route = (kind: string, description: string, withHostnames: boolean): KindDefinition => ({
  kind,
  description,
  spec: s.object(
    {
      parentRefs: s.array(parentRef),
      ...(withHostnames ? { hostnames: s.array(hostname) } : {}),
      rules: s.array(s.object({ backendRefs: s.array(backendRef(), { minItems: 1 }) }), { minItems: 1 }),
    },
    { required: ['rules'] },
  ),
  specRequired: true,
  status: true,
});

export const tlsRoute = l4Route('TLSRoute', 'Routes TLS connections by SNI hostname to backends without terminating them.', true);
export const tcpRoute = l4Route('TCPRoute.gateway.networking.k8s.io', 'Gateway API TCPRoute: forwards TCP connections of a listener to weighted backends.', false);
export const udpRoute = l4Route('UDPRoute.gateway.networking.k8s.io', 'Gateway API UDPRoute: forwards UDP datagrams of a listener to weighted backends.', false);

export const referenceGrant: KindDefinition = {
  kind: 'ReferenceGrant',
  description: 'Allows objects of the listed kinds in other namespaces to reference objects of this namespace.',
  spec: s.object(
    {
      from: s.array(s.object({ group, kind: kindName, namespace: s.string({ minLength: 1, maxLength: 63 }) }, { required: ['group', 'kind', 'namespace'] }), { minItems: 1 }),
      to: s.array(s.object({ group, kind: kindName, name }, { required: ['group', 'kind'] }), { minItems: 1 }),
    },
    { required: ['from', 'to'] },
  ),
  specRequired: true,
};

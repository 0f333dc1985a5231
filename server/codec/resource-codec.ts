import protobuf from 'protobufjs';
import { createResource, type Resource, type ResourceRef } from '../../cache/resource.js';
import { TypeUrl } from '../../cache/types.js';
import { fromProto3Json, Proto3JsonError, toProto3Json } from './proto3-json.js';
import { anyParts, isPlainObject, type JsonIssue, resolveMessageType } from './proto3-json-types.js';
import { checkValidateRules } from './resource-validate.js';

/**
 * Turns resources written in proto3 JSON (or already-built protobufjs
 * messages) into cache Resources: validated, encoded once, named, and with
 * the references (CDS → EDS, LDS → RDS) that snapshot consistency checks use.
 */

/** The type URL of the HTTP connection manager, whose RDS names a listener references. */
export const HTTP_CONNECTION_MANAGER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/**
 * A resource that fails conversion or validation; `issues` carries every
 * problem with its field path, and the message names the type and, when
 * known, the resource (`invalid Cluster "a": lb_policy: ...`).
 */
export class ResourceError extends Error {
  readonly issues: readonly JsonIssue[];
  /** The resource's name, when the input had one. */
  readonly resourceName: string | undefined;
  constructor(typeUrl: string, issues: readonly JsonIssue[], resourceName?: string) {
    const detail = issues.map((i) => (i.path ? `${i.path}: ${i.reason}` : i.reason)).join('; ');
    super(`invalid ${typeUrl.slice(typeUrl.lastIndexOf('/') + 1)}${resourceName ? ` ${JSON.stringify(resourceName)}` : ''}: ${detail}`);
    this.name = 'ResourceError';
    this.issues = issues;
    this.resourceName = resourceName || undefined;
  }
}

export interface EncodeOptions {
  /** Root holding the message types; defaults to the shared xDS root. */
  root?: protobuf.Root;
}

/**
 * Encodes one resource. `input` is either proto3 JSON (its `@type` names the
 * type unless `typeUrl` is given; when both are present they must agree) or
 * a protobufjs message (`typeUrl` defaults to its `$type`). Throws
 * ResourceError listing every problem; never returns an invalid resource.
 */
export function encodeResource(input: unknown, typeUrl?: string, opts: EncodeOptions = {}): Resource {
  return encode(input, typeUrl, opts, false).resource;
}

/** A resource encoded although it breaks protoc-gen-validate rules, and the rules it breaks. */
export interface EncodedWithWarnings {
  readonly resource: Resource;
  /** Broken protoc-gen-validate rules (each with its `rule`); empty when there are none. */
  readonly warnings: readonly JsonIssue[];
}

/**
 * Encodes one resource as `encodeResource` does, except that broken
 * protoc-gen-validate rules do not refuse it: they come back as warnings.
 * What cannot be encoded (unknown fields, wrong types, undefined enum names)
 * or served (no name, an RDS reference without a route name) still throws.
 * For resources that clients are known to accept despite the rules, such as
 * gRPC's xDS clients and an HttpConnectionManager without `stat_prefix`.
 */
export function encodeResourceWithWarnings(input: unknown, typeUrl?: string, opts: EncodeOptions = {}): EncodedWithWarnings {
  return encode(input, typeUrl, opts, true);
}

/** Encodes `input`; `lenient` turns broken protoc-gen-validate rules into warnings instead of a ResourceError. */
function encode(input: unknown, typeUrl: string | undefined, opts: EncodeOptions, lenient: boolean): EncodedWithWarnings {
  const isMessage = input instanceof protobuf.Message;
  const jsonType = isPlainObject(input) && typeof input['@type'] === 'string' ? input['@type'] : undefined;
  const url = typeUrl ?? (isMessage ? `type.googleapis.com/${fullName((input as protobuf.Message).$type)}` : jsonType);
  if (!url) throw new ResourceError('resource', [{ path: '@type', reason: 'required (the resource type URL)' }]);
  const type = resolveMessageType(url, opts.root);
  if (!type) throw new ResourceError(url, [{ path: '@type', reason: `unknown type ${url}` }]);
  let message: protobuf.Message;
  if (isMessage) {
    message = input as protobuf.Message;
  } else {
    try {
      message = fromProto3Json(type, input, opts.root ? { root: opts.root } : {});
    } catch (err) {
      if (err instanceof Proto3JsonError) throw new ResourceError(url, err.issues, jsonName(url, input));
      throw err;
    }
  }
  const issues = validateResource(url, message, opts);
  const errors = lenient ? issues.filter((i) => i.rule === undefined) : issues;
  if (errors.length) throw new ResourceError(url, errors, resourceName(url, message));
  const resource = createResource({
    typeUrl: url,
    name: resourceName(url, message),
    bytes: type.encode(message).finish(),
    references: resourceReferences(url, message, opts),
    message,
  });
  return { resource, warnings: lenient ? issues.filter((i) => i.rule !== undefined) : [] };
}

/** The name field of a resource: `cluster_name` for ClusterLoadAssignment, `proxy` for Pipy sidecar configs, `name` otherwise. */
export function resourceName(typeUrl: string, message: object): string {
  const m = message as Record<string, unknown>;
  const value = m[nameField(typeUrl)];
  return typeof value === 'string' ? value : '';
}

/** The name of a resource in proto3 JSON that failed to convert (either field-name spelling), for error messages. */
function jsonName(typeUrl: string, input: unknown): string | undefined {
  if (!isPlainObject(input)) return undefined;
  const camel = nameField(typeUrl);
  const value = input[camel] ?? input[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
  return typeof value === 'string' ? value : undefined;
}

function nameField(typeUrl: string): string {
  if (typeUrl === TypeUrl.Endpoint) return 'clusterName';
  if (typeUrl === TypeUrl.PipySidecarConfig) return 'proxy';
  return 'name';
}

/**
 * Semantic checks that are cheap: the name is present, the protoc-gen-validate
 * rules of the Envoy API hold (which covers an HTTP connection manager
 * without a route source), and an RDS reference names its route config.
 * Returns every issue; an empty list means valid.
 */
export function validateResource(typeUrl: string, message: object, opts: EncodeOptions = {}): JsonIssue[] {
  const type = resolveMessageType(typeUrl, opts.root);
  if (!type) return [{ path: '@type', reason: `unknown type ${typeUrl}` }];
  const issues: JsonIssue[] = [];
  if (!resourceName(typeUrl, message)) {
    issues.push({ path: typeUrl === TypeUrl.Endpoint ? 'cluster_name' : typeUrl === TypeUrl.PipySidecarConfig ? 'proxy' : 'name', reason: 'required (the resource name)' });
  }
  for (const issue of checkValidateRules(type, message, opts.root)) {
    if (!issues.some((i) => i.path === issue.path)) issues.push(issue);
  }
  if (typeUrl === TypeUrl.Listener) {
    for (const { path, hcm } of listenerHcms(message as Record<string, unknown>, opts.root)) {
      const rds = hcm.rds as Record<string, unknown> | undefined;
      if (rds && !rds.routeConfigName) issues.push({ path: `${path}.rds.route_config_name`, reason: 'required when rds is used' });
    }
  }
  return issues;
}

/**
 * What a resource depends on: an EDS cluster its ClusterLoadAssignment
 * (eds_cluster_config.service_name, or the cluster name), a listener whose
 * HTTP connection manager (API listener or any filter chain) uses RDS its
 * RouteConfiguration.
 */
export function resourceReferences(typeUrl: string, message: object, opts: EncodeOptions = {}): ResourceRef[] {
  const m = message as Record<string, unknown>;
  const refs: ResourceRef[] = [];
  if (typeUrl === TypeUrl.Cluster) {
    const discovery = m.type;
    if (discovery === 3 || discovery === 'EDS') {
      const eds = m.edsClusterConfig as Record<string, unknown> | undefined;
      const serviceName = typeof eds?.serviceName === 'string' && eds.serviceName ? eds.serviceName : resourceName(typeUrl, m);
      refs.push({ typeUrl: TypeUrl.Endpoint, name: serviceName });
    }
  } else if (typeUrl === TypeUrl.Listener) {
    for (const { hcm } of listenerHcms(m, opts.root)) {
      const name = (hcm.rds as Record<string, unknown> | undefined)?.routeConfigName;
      if (typeof name === 'string' && name && !refs.some((r) => r.name === name)) refs.push({ typeUrl: TypeUrl.Route, name });
    }
  }
  return refs;
}

/** Every HttpConnectionManager inside a listener, decoded, with its path (snake_case). */
function listenerHcms(listener: Record<string, unknown>, root: protobuf.Root | undefined): { path: string; hcm: Record<string, unknown> }[] {
  const hcmType = resolveMessageType(HTTP_CONNECTION_MANAGER_TYPE_URL, root);
  if (!hcmType) return [];
  const out: { path: string; hcm: Record<string, unknown> }[] = [];
  const fromAny = (any: unknown, path: string) => {
    if (!any) return;
    const { typeUrl, value } = anyParts(any as Record<string, unknown>);
    if (typeUrl === HTTP_CONNECTION_MANAGER_TYPE_URL) out.push({ path, hcm: hcmType.decode(value) as unknown as Record<string, unknown> });
  };
  const api = listener.apiListener as Record<string, unknown> | undefined;
  if (api) fromAny(api.apiListener, 'api_listener.api_listener');
  const chains: [string, Record<string, unknown>][] = ((listener.filterChains ?? []) as Record<string, unknown>[]).map((c, i) => [`filter_chains[${i}]`, c]);
  if (listener.defaultFilterChain) chains.push(['default_filter_chain', listener.defaultFilterChain as Record<string, unknown>]);
  for (const [chainPath, chain] of chains) {
    ((chain.filters ?? []) as Record<string, unknown>[]).forEach((f, j) => fromAny(f.typedConfig, `${chainPath}.filters[${j}].typed_config`));
  }
  return out;
}

/** Decodes resource bytes to proto3 JSON (snake_case names, `@type` first) for debug output. */
export function decodeResource(typeUrl: string, bytes: Uint8Array, opts: EncodeOptions = {}): unknown {
  const type = resolveMessageType(typeUrl, opts.root);
  if (!type) return { '@type': typeUrl, value: Buffer.from(bytes).toString('base64') };
  const body = toProto3Json(type, type.decode(bytes), opts.root ? { root: opts.root } : {});
  return { '@type': typeUrl, ...(body as object) };
}

function fullName(type: protobuf.Type): string {
  return type.fullName.startsWith('.') ? type.fullName.slice(1) : type.fullName;
}

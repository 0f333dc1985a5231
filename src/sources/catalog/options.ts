/**
 * The query options of registry `--source` values (`consul:URL?namespace=…`),
 * parsed up front: every key must be known to the scheme, every value
 * valid, and the error names the key and the reason. The options shared by
 * all registries are read here; each scheme reads its own with the same
 * reader and calls `done()` to refuse anything left over.
 */
import { isCIDR } from '../../model/schema/ip.js';
import { tryParseGoDuration } from '../../shared/duration.js';
import type { CatalogFilters } from './filters.js';
import { DEFAULT_CLUSTER_SET } from './origin.js';

export interface QueryReader {
  string(key: string): string | undefined;
  /** Repeated keys and comma-separated values, in order, without empties. */
  list(key: string): string[];
  bool(key: string, dflt: boolean): boolean;
  /** A Go duration (`500ms`, `5s`, `1m`) in milliseconds; must be > 0. */
  durationMs(key: string, dflt: number): number;
  int(key: string, dflt: number, min: number, max?: number): number;
  /** Bytes, with an optional Ki/Mi/Gi suffix. */
  bytes(key: string, dflt: number): number;
  /** `key:value` pairs (split at the first colon). */
  pairs(key: string): [string, string][];
  /** Throws naming any key no reader method asked for. */
  done(): void;
}

/** ARG → the part before `?` and its query. */
export function splitQuery(arg: string): { base: string; params: URLSearchParams } {
  const q = arg.indexOf('?');
  return q === -1 ? { base: arg, params: new URLSearchParams() } : { base: arg.slice(0, q), params: new URLSearchParams(arg.slice(q + 1)) };
}

export function createQueryReader(params: URLSearchParams): QueryReader {
  const asked = new Set<string>();
  const all = (key: string) => {
    asked.add(key);
    return params.getAll(key);
  };
  const one = (key: string): string | undefined => {
    const values = all(key);
    if (values.length > 1) throw new Error(`option "${key}" given ${values.length} times`);
    return values[0];
  };
  return {
    string: one,
    list: (key) => all(key).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''),
    bool(key, dflt) {
      const v = one(key);
      if (v === undefined) return dflt;
      if (v === 'true' || v === '') return true;
      if (v === 'false') return false;
      throw new Error(`option "${key}": "${v}" is not true or false`);
    },
    durationMs(key, dflt) {
      const v = one(key);
      if (v === undefined) return dflt;
      const ms = tryParseGoDuration(v);
      if (ms === undefined || !(ms > 0)) throw new Error(`option "${key}": "${v}" is not a positive duration (such as 500ms, 5s, 1m)`);
      return ms;
    },
    int(key, dflt, min, max) {
      const v = one(key);
      if (v === undefined) return dflt;
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min || (max !== undefined && n > max)) {
        throw new Error(`option "${key}": "${v}" is not an integer in [${min}, ${max ?? '∞'}]`);
      }
      return n;
    },
    bytes(key, dflt) {
      const v = one(key);
      if (v === undefined) return dflt;
      const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(v);
      const n = m ? Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? ''] ?? 1) : NaN;
      if (!(n > 0)) throw new Error(`option "${key}": "${v}" is not a size in bytes (such as 8388608, 512Ki, 8Mi)`);
      return n;
    },
    pairs(key) {
      return all(key).map((v) => {
        const c = v.indexOf(':');
        if (c <= 0) throw new Error(`option "${key}": "${v}" is not key:value`);
        return [v.slice(0, c), v.slice(c + 1)] as [string, string];
      });
    },
    done() {
      for (const key of new Set(params.keys())) if (!asked.has(key)) throw new Error(`unknown option "${key}"`);
    },
  };
}

export interface CatalogConfig {
  /** Mesh namespace of the services (default `default`). */
  readonly namespace: string;
  readonly filters: CatalogFilters;
  /** Most instances one answer (or the sum of per-service answers) may hold; default 20,000. */
  readonly maxInstances: number;
  /** Largest answer body in bytes; default 8 MiB. */
  readonly maxPayloadBytes: number;
  /** How long `ready` waits for a first answer; default 10 s. */
  readonly syncTimeoutMs: number;
  /** appProtocol of the instances' ports (`http`, `grpc`, `tcp`), where the registry does not say. */
  readonly protocol: string;
  /** False (`read=false`): bring nothing into the mesh (only register into the registry, with sync=true). */
  readonly read: boolean;
}

/** Registering mesh services into the registry (FSM's syncFromK8S), when `sync=true`. */
export interface RegistrySyncConfig {
  /** Mesh namespaces whose services are registered; `*` (default) for all. */
  readonly allowNamespaces: readonly string[];
  readonly denyNamespaces: readonly string[];
  /** FSM's defaultSync: every service unless annotated `flomesh.io/service-sync-k8s-to-cloud: "false"` (true), or only those annotated "true" (false). */
  readonly defaultSync: boolean;
  /** FSM's addServicePrefix. */
  readonly prefix: string;
  /** FSM's addK8SNamespaceAsServiceSuffix: `name-namespace`. */
  readonly namespaceSuffix: boolean;
  /** Tags added to every registration (registries with tags). */
  readonly tags: readonly string[];
  /** Metadata added to every registration. */
  readonly metadata: readonly (readonly [string, string])[];
  /** How often what is registered is checked against the registry and repaired; default 30 s. */
  readonly intervalMs: number;
  /** Heartbeat period for registries whose registrations expire (Eureka, Nacos); default 5 s. */
  readonly heartbeatMs: number;
}

/** The `sync…` options; undefined unless `sync=true`. */
export function readSyncConfig(r: QueryReader): RegistrySyncConfig | undefined {
  const enabled = r.bool('sync', false);
  const config: RegistrySyncConfig = {
    allowNamespaces: r.list('syncNamespace'),
    denyNamespaces: r.list('syncExcludeNamespace'),
    defaultSync: r.bool('syncDefault', true),
    prefix: r.string('syncPrefix') ?? '',
    namespaceSuffix: r.bool('syncNamespaceSuffix', false),
    tags: r.list('syncTag'),
    metadata: r.pairs('syncMeta'),
    intervalMs: r.durationMs('syncInterval', 30_000),
    heartbeatMs: r.durationMs('heartbeat', 5_000),
  };
  if (config.allowNamespaces.length === 0) (config.allowNamespaces as string[]).push('*');
  return enabled ? config : undefined;
}

export const CATALOG_DEFAULTS = {
  namespace: 'default',
  maxInstances: 20_000,
  maxPayloadBytes: 8 * 1024 * 1024,
  syncTimeoutMs: 10_000,
  backoff: { initialMs: 500, maxMs: 30_000 },
} as const;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The shared options: namespace, service (globs), excludeService, meta and
 * excludeMeta (`key:value`), ipRange and excludeIpRange (CIDRs), clusterSet,
 * maxInstances, maxPayload, syncTimeout, protocol, read; `tag` only where `tags` is set.
 */
export function readCatalogConfig(r: QueryReader, opts: { tags?: boolean; protocol: string }): CatalogConfig {
  const namespace = r.string('namespace') ?? CATALOG_DEFAULTS.namespace;
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) throw new Error(`option "namespace": "${namespace}" is not a namespace name (RFC 1123 label)`);
  const cidrs = (key: string) => {
    const list = r.list(key);
    for (const c of list) if (!isCIDR(c)) throw new Error(`option "${key}": "${c}" is not a CIDR (address/prefix)`);
    return list;
  };
  const clusterSet = r.string('clusterSet') ?? DEFAULT_CLUSTER_SET;
  if (clusterSet === '') throw new Error('option "clusterSet" is empty');
  return {
    namespace,
    filters: {
      services: r.list('service'),
      excludeServices: r.list('excludeService'),
      metadata: r.pairs('meta'),
      excludeMetadata: r.pairs('excludeMeta'),
      tags: opts.tags ? r.list('tag') : [],
      ipRanges: cidrs('ipRange'),
      excludeIpRanges: cidrs('excludeIpRange'),
      clusterSet,
    },
    maxInstances: r.int('maxInstances', CATALOG_DEFAULTS.maxInstances, 1),
    maxPayloadBytes: r.bytes('maxPayload', CATALOG_DEFAULTS.maxPayloadBytes),
    syncTimeoutMs: r.durationMs('syncTimeout', CATALOG_DEFAULTS.syncTimeoutMs),
    protocol: readProtocol(r, opts.protocol),
    read: r.bool('read', true),
  };
}

function readProtocol(r: QueryReader, dflt: string): string {
  const p = r.string('protocol') ?? dflt;
  if (!['http', 'grpc', 'tcp'].includes(p)) throw new Error(`option "protocol": "${p}" is not http, grpc or tcp`);
  return p;
}

/** `http(s)://host[:port][/path]`, or an Error naming what is wrong. */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} "${text}" is not a URL (http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${what} "${text}" must start with http:// or https://`);
  if (url.hostname === '') throw new Error(`${what} "${text}" has no host`);
  return url;
}

/** The URL as written in names and logs: without credentials. */
export function displayUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/$/, '');
}

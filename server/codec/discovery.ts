import type protobuf from 'protobufjs';
import type { DeltaResponse, NodeInfo, SotwResponse } from '../../cache/types.js';
import type { Resource } from '../../cache/resource.js';
import { encodeFields, lengthDelimited, stringField, type LengthDelimitedField } from '../../src/shared/wire.js';
import { xdsRoot } from './protos.js';

/**
 * Wire codecs for the discovery protocol. Requests are decoded with
 * protobufjs; responses are assembled from bytes encoded once:
 *
 * - a SotW `DiscoveryResponse` body (version_info=1, resources=2, type_url=4)
 *   is encoded once per SotwResponse object (caches hand the same object to
 *   every stream with identical content), and each stream appends only its
 *   nonce (field 5) — protobuf parsers accept fields in any order;
 * - a delta `Resource` {version=1, resource=2, name=3} is encoded once per
 *   Resource object and shared by every delta response that carries it.
 *
 * A response leaves this module as its parts (`ResponseParts`): the shared
 * bytes are not copied per stream here; the transport joins the parts when
 * it writes (see transport/services.ts).
 *
 * Field numbers are those of envoy/service/discovery/v3/discovery.proto.
 */

/** A response message as its parts, in order: bytes shared by every stream sent them, and this stream's own fields. */
export interface ResponseParts {
  readonly parts: readonly Uint8Array[];
  /** Bytes of the whole message. */
  readonly length: number;
}

/** The message of `r` in one buffer: `into` when it is large enough (the caller owns what it held), else a new one. */
export function joinParts(r: ResponseParts, into?: Buffer): Buffer {
  const out = into && into.length >= r.length ? into.subarray(0, r.length) : Buffer.allocUnsafe(r.length);
  let off = 0;
  for (const p of r.parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function partsOf(parts: Uint8Array[]): ResponseParts {
  let length = 0;
  for (const p of parts) length += p.length;
  return { parts, length };
}

/** The client's error report on a NACK (google.rpc.Status). */
export interface ErrorDetail {
  readonly code: number;
  readonly message: string;
}

/** A decoded envoy.service.discovery.v3.DiscoveryRequest. */
export interface DiscoveryRequestMessage {
  readonly versionInfo: string;
  readonly node?: NodeInfo;
  readonly resourceNames: readonly string[];
  readonly typeUrl: string;
  readonly responseNonce: string;
  /** Present on a NACK (even with an empty message). */
  readonly errorDetail?: ErrorDetail;
}

/** A decoded envoy.service.discovery.v3.DeltaDiscoveryRequest. */
export interface DeltaDiscoveryRequestMessage {
  readonly node?: NodeInfo;
  readonly typeUrl: string;
  readonly resourceNamesSubscribe: readonly string[];
  readonly resourceNamesUnsubscribe: readonly string[];
  readonly initialResourceVersions: ReadonlyMap<string, string>;
  readonly responseNonce: string;
  readonly errorDetail?: ErrorDetail;
}

/** How many envelopes were encoded; a test or benchmark reads it to prove "once per update, not per stream". */
export const envelopeCounter = { sotwBodies: 0, deltaResources: 0 };

const sotwBodies = new WeakMap<SotwResponse, Uint8Array>();
const deltaResourceFields = new WeakMap<Resource, Uint8Array>();

/** The shared SotW body: everything but the nonce. Encoded at most once per response object. */
export function sotwResponseBody(res: SotwResponse): Uint8Array {
  let body = sotwBodies.get(res);
  if (body === undefined) {
    envelopeCounter.sotwBodies++;
    const fields: LengthDelimitedField[] = [[1, res.version]];
    for (const r of res.resources) fields.push([2, r.any]);
    fields.push([4, res.typeUrl]);
    body = encodeFields(fields);
    sotwBodies.set(res, body);
  }
  return body;
}

/** A stream's DiscoveryResponse: the shared body plus this stream's nonce. */
export function encodeSotwResponse(res: SotwResponse, nonce: string): ResponseParts {
  return partsOf([sotwResponseBody(res), stringField(5, nonce)]);
}

/** `resources` field (2) of a DeltaDiscoveryResponse for one Resource; memoized per Resource object. */
function deltaResourceField(r: Resource): Uint8Array {
  let field = deltaResourceFields.get(r);
  if (field === undefined) {
    envelopeCounter.deltaResources++;
    const inner = encodeFields([
      [1, r.version],
      [2, r.any],
      [3, r.name],
    ]);
    field = lengthDelimited(2, inner);
    deltaResourceFields.set(r, field);
  }
  return field;
}

/** A stream's DeltaDiscoveryResponse. Resource entries are shared; names and nonce are per response. */
export function encodeDeltaResponse(res: DeltaResponse, nonce: string): ResponseParts {
  const parts: Uint8Array[] = [stringField(1, res.systemVersion)];
  for (const r of res.resources) parts.push(deltaResourceField(r));
  parts.push(stringField(4, res.typeUrl));
  parts.push(stringField(5, nonce));
  for (const name of res.removed) parts.push(stringField(6, name));
  return partsOf(parts);
}

/** Estimated wire size of a SotW or delta response before it is encoded for a stream. */
export function estimatedSize(res: SotwResponse | DeltaResponse): number {
  let size = 64 + res.typeUrl.length;
  for (const r of res.resources) size += r.any.length + r.name.length + r.version.length + 16;
  if ('removed' in res) for (const name of res.removed) size += name.length + 4;
  return size;
}


let requestType: protobuf.Type | undefined;
let deltaRequestType: protobuf.Type | undefined;

/** Decodes a DiscoveryRequest. Throws on malformed bytes. */
export function decodeDiscoveryRequest(bytes: Uint8Array): DiscoveryRequestMessage {
  requestType ??= xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  const m = requestType.decode(bytes) as unknown as RawRequest;
  return {
    versionInfo: m.versionInfo ?? '',
    ...(m.node ? { node: toNodeInfo(m.node) } : {}),
    resourceNames: m.resourceNames ?? [],
    typeUrl: m.typeUrl ?? '',
    responseNonce: m.responseNonce ?? '',
    ...(m.errorDetail ? { errorDetail: { code: m.errorDetail.code ?? 0, message: m.errorDetail.message ?? '' } } : {}),
  };
}

/** Decodes a DeltaDiscoveryRequest. Throws on malformed bytes. */
export function decodeDeltaDiscoveryRequest(bytes: Uint8Array): DeltaDiscoveryRequestMessage {
  deltaRequestType ??= xdsRoot().lookupType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  const m = deltaRequestType.decode(bytes) as unknown as RawDeltaRequest;
  return {
    ...(m.node ? { node: toNodeInfo(m.node) } : {}),
    typeUrl: m.typeUrl ?? '',
    resourceNamesSubscribe: m.resourceNamesSubscribe ?? [],
    resourceNamesUnsubscribe: m.resourceNamesUnsubscribe ?? [],
    initialResourceVersions: new Map(Object.entries(m.initialResourceVersions ?? {})),
    responseNonce: m.responseNonce ?? '',
    ...(m.errorDetail ? { errorDetail: { code: m.errorDetail.code ?? 0, message: m.errorDetail.message ?? '' } } : {}),
  };
}

interface RawStatus {
  code?: number;
  message?: string;
}
interface RawRequest {
  versionInfo?: string;
  node?: RawNode | null;
  resourceNames?: string[];
  typeUrl?: string;
  responseNonce?: string;
  errorDetail?: RawStatus | null;
}
interface RawDeltaRequest {
  node?: RawNode | null;
  typeUrl?: string;
  resourceNamesSubscribe?: string[];
  resourceNamesUnsubscribe?: string[];
  initialResourceVersions?: Record<string, string>;
  responseNonce?: string;
  errorDetail?: RawStatus | null;
}
interface RawNode {
  id?: string;
  cluster?: string;
  metadata?: RawStruct | null;
  userAgentName?: string;
  userAgentVersion?: string;
  userAgentBuildVersion?: { version?: { majorNumber?: number; minorNumber?: number; patch?: number } } | null;
}
interface RawStruct {
  fields?: Record<string, RawValue>;
}
interface RawValue {
  nullValue?: number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: RawStruct;
  listValue?: { values?: RawValue[] };
}

function toNodeInfo(n: RawNode): NodeInfo {
  const build = has(n, 'userAgentBuildVersion') ? n.userAgentBuildVersion?.version : undefined;
  const version = has(n, 'userAgentVersion') ? n.userAgentVersion : (build ? `${build.majorNumber ?? 0}.${build.minorNumber ?? 0}.${build.patch ?? 0}` : undefined);
  return {
    id: n.id ?? '',
    cluster: n.cluster ?? '',
    ...(n.metadata ? { metadata: structToObject(n.metadata) } : {}),
    ...(n.userAgentName ? { userAgentName: n.userAgentName } : {}),
    ...(version ? { userAgentVersion: version } : {}),
  };
}

/** google.protobuf.Struct (decoded by protobufjs) to a plain JSON object. */
export function structToObject(s: RawStruct): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.fields ?? {})) out[k] = valueToJson(v);
  return out;
}

// protobufjs puts defaults on the prototype, so a oneof member is present only as an own property.
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function valueToJson(v: RawValue): unknown {
  if (has(v, 'structValue') && v.structValue) return structToObject(v.structValue);
  if (has(v, 'listValue') && v.listValue) return (v.listValue.values ?? []).map(valueToJson);
  if (has(v, 'stringValue')) return v.stringValue;
  if (has(v, 'numberValue')) return v.numberValue;
  if (has(v, 'boolValue')) return v.boolValue;
  return null;
}

/** A plain JSON object to the protobufjs form of google.protobuf.Struct. */
export function objectToStruct(o: Readonly<Record<string, unknown>>): RawStruct {
  const fields: Record<string, RawValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) fields[k] = jsonToValue(v);
  return { fields };
}

function jsonToValue(v: unknown): RawValue {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(jsonToValue) } };
  if (typeof v === 'object') return { structValue: objectToStruct(v as Record<string, unknown>) };
  return { stringValue: String(v) };
}

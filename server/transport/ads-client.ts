import * as grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import type { NodeInfo } from '../../cache/types.js';
import { objectToStruct, type ErrorDetail } from '../codec/discovery.js';
import { typeForUrl, xdsRoot } from '../codec/protos.js';
import { methodPath, serviceFor } from './services.js';

/** One resource of a received response. */
export interface ClientResource {
  readonly typeUrl: string;
  /** Delta: the Resource name; SotW: the decoded message's name (or cluster_name), when known. */
  readonly name: string;
  /** Delta only: the resource version. */
  readonly version: string;
  /** The Any's value. */
  readonly value: Uint8Array;
  /** Decoded (protobufjs toObject, camelCase) when the type is known. */
  readonly message?: Record<string, unknown>;
}

/** A decoded DiscoveryResponse or DeltaDiscoveryResponse. */
export interface ClientResponse {
  readonly typeUrl: string;
  /** SotW version_info, or delta system_version_info. */
  readonly versionInfo: string;
  readonly nonce: string;
  readonly resources: readonly ClientResource[];
  /** Delta only. */
  readonly removedResources: readonly string[];
}

/** How a stream ended. */
export interface ClientStatus {
  readonly code: number;
  readonly details: string;
}

export interface AdsClientOptions {
  /** `host:port` of the server. */
  address: string;
  node: NodeInfo;
  /** Default insecure. */
  credentials?: grpc.ChannelCredentials;
  /** Use the incremental protocol. */
  delta?: boolean;
  /** Talk to the per-type service for this type URL instead of ADS. */
  service?: string;
  /** Send the node on every request, not just the first (default false). */
  nodeOnEveryRequest?: boolean;
}

/** Raw request fields for `send`, in protobufjs camelCase form (for malformed/stale requests in tests). */
export type RawRequest = Record<string, unknown>;

/**
 * A programmatic xDS client (tests, benchmarks, e2e). Opens the stream on
 * construction. SotW: `subscribe` sends names with the last acked version and
 * nonce of the type; `ack`/`nack` answer a response. Delta: `subscribe` /
 * `unsubscribe` send the lists (with `initialResourceVersions` on the first
 * request of a type); `ack`/`nack` answer by nonce.
 */
export interface AdsClient {
  subscribe(typeUrl: string, names: readonly string[], options?: { initialResourceVersions?: Record<string, string> }): void;
  /** Delta only. */
  unsubscribe(typeUrl: string, names: readonly string[]): void;
  ack(response: ClientResponse): void;
  nack(response: ClientResponse, message: string): void;
  /** Sends a request as given (node added only if `withNode`). */
  send(request: RawRequest, options?: { withNode?: boolean }): void;
  /** Writes raw bytes as a request message (to test malformed input). */
  sendBytes(bytes: Uint8Array): void;
  /** The next response; rejects after `timeoutMs` (default 5000) or when the stream ends first. */
  next(options?: { timeoutMs?: number }): Promise<ClientResponse>;
  /** Resolves with the next response within `ms`, or undefined. */
  nextWithin(ms: number): Promise<ClientResponse | undefined>;
  /** Responses received and not yet taken by `next`. */
  readonly buffered: number;
  /** Resolves with the stream's final status. */
  readonly status: Promise<ClientStatus>;
  /** Iterates responses until the stream ends (no timeout). */
  [Symbol.asyncIterator](): AsyncIterator<ClientResponse>;
  /** Cancels the stream and closes the channel. */
  close(): void;
}

const pass = (b: Buffer): Buffer => b;

export function createAdsClient(options: AdsClientOptions): AdsClient {
  const delta = options.delta ?? false;
  const spec = serviceFor(options.service ?? '');
  if (!spec) throw new Error(`no xDS service for type ${options.service}`);
  const root = xdsRoot();
  const reqType = root.lookupType(delta ? 'envoy.service.discovery.v3.DeltaDiscoveryRequest' : 'envoy.service.discovery.v3.DiscoveryRequest');
  const resType = root.lookupType(delta ? 'envoy.service.discovery.v3.DeltaDiscoveryResponse' : 'envoy.service.discovery.v3.DiscoveryResponse');
  const client = new grpc.Client(options.address, options.credentials ?? grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(methodPath(spec, delta ? 'delta' : 'sotw'), pass, pass);

  const queue: ClientResponse[] = [];
  const waiters: Array<{ resolve: (r: ClientResponse) => void; reject: (e: Error) => void }> = [];
  const acked = new Map<string, { version: string; nonce: string }>();
  const subscribedTypes = new Set<string>();
  const lastNames = new Map<string, string[]>();
  let ended: ClientStatus | undefined;
  let nodeSent = false;
  let resolveStatus!: (s: ClientStatus) => void;
  const status = new Promise<ClientStatus>((r) => (resolveStatus = r));

  const finish = (s: ClientStatus) => {
    if (ended) return;
    ended = s;
    resolveStatus(s);
    for (const w of waiters.splice(0)) w.reject(new Error(`stream ended: ${s.code} ${s.details}`));
  };
  call.on('data', (bytes: Buffer) => {
    const r = decodeResponse(resType, bytes, delta);
    const w = waiters.shift();
    if (w) w.resolve(r);
    else queue.push(r);
  });
  call.on('status', (s: grpc.StatusObject) => finish({ code: s.code, details: s.details }));
  call.on('error', (e: grpc.ServiceError) => finish({ code: e.code ?? grpc.status.UNKNOWN, details: e.details ?? e.message }));

  const nodeMessage = () => ({
    id: options.node.id,
    cluster: options.node.cluster,
    ...(options.node.metadata ? { metadata: objectToStruct(options.node.metadata) } : {}),
    ...(options.node.userAgentName ? { userAgentName: options.node.userAgentName } : {}),
    ...(options.node.userAgentVersion ? { userAgentVersion: options.node.userAgentVersion } : {}),
  });
  const send = (request: RawRequest, opts: { withNode?: boolean } = {}) => {
    const withNode = opts.withNode ?? (!nodeSent || options.nodeOnEveryRequest === true);
    const msg = reqType.fromObject({ ...request, ...(withNode ? { node: nodeMessage() } : {}) });
    if (withNode) nodeSent = true;
    call.write(Buffer.from(reqType.encode(msg).finish()));
  };
  const errorDetail = (message: string): ErrorDetail => ({ code: grpc.status.INVALID_ARGUMENT, message });

  /** The next response; without a timeout it waits until one arrives or the stream ends. */
  const next = (timeoutMs: number | undefined) =>
    new Promise<ClientResponse>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      if (ended) return reject(new Error(`stream ended: ${ended.code} ${ended.details}`));
      let timer: NodeJS.Timeout | undefined;
      const waiter = {
        resolve: (r: ClientResponse) => (clearTimeout(timer), resolve(r)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`no response within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      waiters.push(waiter);
    });

  return {
    subscribe(typeUrl, names, opts = {}) {
      if (delta) {
        const first = !subscribedTypes.has(typeUrl);
        subscribedTypes.add(typeUrl);
        send({ typeUrl, resourceNamesSubscribe: [...names], ...(first ? { initialResourceVersions: opts.initialResourceVersions ?? {} } : {}) });
        return;
      }
      const last = acked.get(typeUrl);
      lastNames.set(typeUrl, [...names]);
      send({ typeUrl, resourceNames: [...names], versionInfo: last?.version ?? '', responseNonce: last?.nonce ?? '' });
    },
    unsubscribe(typeUrl, names) {
      if (!delta) throw new Error('unsubscribe is for delta streams; SotW subscribes with the full list');
      send({ typeUrl, resourceNamesUnsubscribe: [...names] });
    },
    ack(r) {
      if (delta) return send({ typeUrl: r.typeUrl, responseNonce: r.nonce });
      const names = lastNames.get(r.typeUrl) ?? [];
      acked.set(r.typeUrl, { version: r.versionInfo, nonce: r.nonce });
      send({ typeUrl: r.typeUrl, resourceNames: names, versionInfo: r.versionInfo, responseNonce: r.nonce });
    },
    nack(r, message) {
      if (delta) return send({ typeUrl: r.typeUrl, responseNonce: r.nonce, errorDetail: errorDetail(message) });
      const last = acked.get(r.typeUrl);
      acked.set(r.typeUrl, { version: last?.version ?? '', nonce: r.nonce });
      send({
        typeUrl: r.typeUrl,
        resourceNames: lastNames.get(r.typeUrl) ?? [],
        versionInfo: last?.version ?? '',
        responseNonce: r.nonce,
        errorDetail: errorDetail(message),
      });
    },
    send,
    sendBytes(bytes) {
      call.write(Buffer.from(bytes));
    },
    next: (o = {}) => next(o.timeoutMs ?? 5000),
    async nextWithin(ms) {
      try {
        return await next(ms);
      } catch {
        return undefined;
      }
    },
    get buffered() {
      return queue.length;
    },
    status,
    [Symbol.asyncIterator]() {
      return {
        next: async () => {
          try {
            return { value: await next(undefined), done: false };
          } catch {
            return { value: undefined, done: true };
          }
        },
      };
    },
    close() {
      call.cancel();
      client.close();
    },
  };
}

/** protobufjs decodes the built-in google.protobuf.Any with its proto field name `type_url`. */
interface RawAny {
  typeUrl?: string;
  type_url?: string;
  value?: Uint8Array;
}

function decodeAny(any: RawAny | null | undefined, name: string, version: string): ClientResource {
  const typeUrl = any?.typeUrl ?? any?.type_url ?? '';
  const value = any?.value ?? new Uint8Array(0);
  const type = typeUrl ? typeForUrl(typeUrl) : undefined;
  if (!type) return { typeUrl, name, version, value };
  let message: Record<string, unknown>;
  try {
    message = type.toObject(type.decode(value), { longs: Number, enums: String, defaults: false });
  } catch {
    // Bytes that are not a valid message of their declared type are handed over raw.
    return { typeUrl, name, version, value };
  }
  const own = typeof message['name'] === 'string' ? message['name'] : typeof message['clusterName'] === 'string' ? message['clusterName'] : '';
  return { typeUrl, name: name || own, version, value, message };
}

function decodeResponse(type: protobuf.Type, bytes: Uint8Array, delta: boolean): ClientResponse {
  const m = type.decode(bytes) as unknown as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : '');
  if (delta) {
    const resources = ((m['resources'] as Array<{ name?: string; version?: string; resource?: RawAny }>) ?? []).map((r) =>
      decodeAny(r.resource, r.name ?? '', r.version ?? ''),
    );
    return {
      typeUrl: str('typeUrl'),
      versionInfo: str('systemVersionInfo'),
      nonce: str('nonce'),
      resources,
      removedResources: (m['removedResources'] as string[]) ?? [],
    };
  }
  return {
    typeUrl: str('typeUrl'),
    versionInfo: str('versionInfo'),
    nonce: str('nonce'),
    resources: ((m['resources'] as RawAny[]) ?? []).map((a) => decodeAny(a, '', '')),
    removedResources: [],
  };
}

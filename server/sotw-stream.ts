import { TypeUrl, type SotwResponse } from '../cache/types.js';
import { encodeSotwResponse, estimatedSize, type DiscoveryRequestMessage, type ResponseParts } from './codec/discovery.js';
import { assembleStream, StreamCore } from './stream-core.js';
import type { StreamOptions, XdsStream } from './stream-types.js';
import { createSotwSubscription, type SotwSubscription } from './subscription.js';
import { WatchTable, type WatchState } from './watch-table.js';

interface TypeState extends WatchState {
  readonly sub: SotwSubscription;
}

/**
 * A state-of-the-world xDS stream (ADS when `typeUrl` is '', else one type).
 *
 * Per request, in order: node (first request must carry one), type URL
 * (required for ADS), `onStreamRequest`, the stale-nonce rule (a non-empty
 * `response_nonce` that is not the last nonce sent for that type: ignored),
 * the authorizer, progress (`request` / `ack` / `nack`, decided by
 * `error_detail` only), then the previous watch of the type is cancelled and
 * a new one created. On a NACK the new watch carries the rejected version as
 * `versionInfo`, so the cache answers only when the content changes and a
 * rejected version is never resent.
 *
 * Responses wait in an ADS-ordered queue (one slot per type). After a CDS
 * response is sent on an ADS stream, EDS watches ask the cache to answer
 * even if unchanged until an EDS response follows, so clusters warming after
 * a reconnect get their endpoints.
 */
export function createSotwStream(opts: StreamOptions): XdsStream<DiscoveryRequestMessage> {
  const ads = opts.typeUrl === '';
  const cb = opts.callbacks ?? {};
  let edsAfterCds = false;
  const core = new StreamCore(opts, { cancelAll: () => table.clear(), closedCallback: cb.onStreamClosed?.bind(cb) });
  const table = new WatchTable<TypeState, SotwResponse, DiscoveryRequestMessage>(core);
  const states = table.states;

  const receive = (raw: DiscoveryRequestMessage) => {
    const admitted = core.admit(raw, cb.onStreamRequest?.bind(cb));
    if (!admitted) return;
    const { node, typeUrl, request } = admitted;

    let state = states.get(typeUrl);
    if (state && request.responseNonce !== '' && request.responseNonce !== state.lastNonce) {
      core.logger.debug('ignoring request with stale nonce', { streamId: opts.streamId, typeUrl, nonce: request.responseNonce, expected: state.lastNonce });
      return;
    }
    if (!core.authorize(node, typeUrl, request.resourceNames)) return;

    const nack = request.errorDetail !== undefined;
    const event = nack ? 'nack' : request.responseNonce === '' ? 'request' : 'ack';
    const progress = {
      typeUrl,
      version: request.versionInfo,
      nonce: request.responseNonce,
      ...(nack ? { error: request.errorDetail?.message ?? '' } : {}),
    };
    if (!core.guard(() => opts.watcher.recordProgress(node, event, progress))) return;

    // The version the cache compares against: after a NACK, the rejected one.
    const rejected = nack && state !== undefined && state.lastNonce !== '' && request.responseNonce === state.lastNonce;
    const versionInfo = rejected && state ? state.lastVersion : request.versionInfo;
    if (state) {
      table.supersede(typeUrl, state);
      state.sub.setNames(request.resourceNames);
    } else {
      const sub = createSotwSubscription(request.resourceNames, { allowLegacyWildcard: core.allowLegacyWildcard(typeUrl) });
      state = { sub, token: {}, cancel: undefined, lastNonce: '', lastVersion: '' };
      states.set(typeUrl, state);
    }
    const respondIfUnchanged = ads && edsAfterCds && typeUrl === TypeUrl.Endpoint;
    const current = state;

    table.watch(typeUrl, state, request, estimatedSize, (respond) =>
      opts.watcher.createWatch({ node, typeUrl, versionInfo, ...(respondIfUnchanged ? { respondIfUnchanged: true } : {}) }, current.sub, respond),
    );
  };

  const takeResponse = (): ResponseParts | undefined => {
    const next = table.next((r) => r.version);
    if (!next) return undefined;
    const { node, typeUrl, state, pending, nonce, version } = next;
    const res = pending.response;
    state.sub.setReturned(res.returned);
    if (ads && typeUrl === TypeUrl.Cluster) edsAfterCds = true;
    if (typeUrl === TypeUrl.Endpoint) edsAfterCds = false;
    const onResponse = cb.onStreamResponse;
    const info = { typeUrl, versionInfo: version, nonce, resources: res.resources };
    if (onResponse && !core.guard(() => onResponse.call(cb, opts.streamId, pending.request, info))) return undefined;
    if (!core.guard(() => opts.watcher.recordProgress(node, 'sent', { typeUrl, version, nonce }))) return undefined;
    return encodeSotwResponse(res, nonce);
  };

  return assembleStream(core, table, { onOpen: cb.onStreamOpen?.bind(cb), receive, takeResponse });
}

import type { DeltaResponse } from '../cache/types.js';
import { encodeDeltaResponse, estimatedSize, type DeltaDiscoveryRequestMessage, type ResponseParts } from './codec/discovery.js';
import { assembleStream, StreamCore } from './stream-core.js';
import type { StreamOptions, XdsStream } from './stream-types.js';
import { createDeltaSubscription, type DeltaSubscription } from './subscription.js';
import { WatchTable, type WatchState } from './watch-table.js';

interface TypeState extends WatchState {
  readonly sub: DeltaSubscription;
}

/**
 * An incremental (delta) xDS stream (ADS when `typeUrl` is '').
 *
 * Unlike SotW there is no stale-nonce rule: every request's
 * subscribe/unsubscribe lists are applied, whatever its nonce (the xDS spec
 * requires it, as a subscription change must never be lost). The first
 * request of a type creates the subscription, seeding what the client holds
 * from `initial_resource_versions` so nothing it already has is resent.
 * Each request replaces the type's watch; the first wildcard request is
 * answered even when empty (clients wait for it to finish initialising).
 * NACKs are recorded; the client's `returned` state already holds the
 * rejected versions, so the cache does not resend them.
 */
export function createDeltaStream(opts: StreamOptions): XdsStream<DeltaDiscoveryRequestMessage> {
  const cb = opts.callbacks ?? {};
  const core = new StreamCore(opts, { cancelAll: () => table.clear(), closedCallback: cb.onDeltaStreamClosed?.bind(cb) });
  const table = new WatchTable<TypeState, DeltaResponse, DeltaDiscoveryRequestMessage>(core);
  const states = table.states;

  const receive = (raw: DeltaDiscoveryRequestMessage) => {
    const admitted = core.admit(raw, cb.onDeltaStreamRequest?.bind(cb));
    if (!admitted) return;
    const { node, typeUrl, request } = admitted;

    let state = states.get(typeUrl);
    const names = state ? request.resourceNamesSubscribe : [...request.resourceNamesSubscribe, ...request.initialResourceVersions.keys()];
    if (!core.authorize(node, typeUrl, names)) return;

    const nack = request.errorDetail !== undefined;
    const event = nack ? 'nack' : request.responseNonce === '' ? 'request' : 'ack';
    const answered = state !== undefined && request.responseNonce !== '' && request.responseNonce === state.lastNonce;
    const progress = {
      typeUrl,
      version: answered && state ? state.lastVersion : '',
      nonce: request.responseNonce,
      ...(nack ? { error: request.errorDetail?.message ?? '' } : {}),
    };
    if (!core.guard(() => opts.watcher.recordProgress(node, event, progress))) return;

    if (state) {
      table.supersede(typeUrl, state);
      state.sub.update(request.resourceNamesSubscribe, request.resourceNamesUnsubscribe);
    } else {
      const sub = createDeltaSubscription(request.resourceNamesSubscribe, request.initialResourceVersions, {
        allowLegacyWildcard: core.allowLegacyWildcard(typeUrl),
      });
      if (request.resourceNamesUnsubscribe.length > 0) sub.update([], request.resourceNamesUnsubscribe);
      state = { sub, token: {}, cancel: undefined, lastNonce: '', lastVersion: '' };
      states.set(typeUrl, state);
    }
    const respondIfUnchanged = state.sub.wildcard && request.responseNonce === '';

    const current = state;
    table.watch(typeUrl, state, request, estimatedSize, (respond) =>
      opts.watcher.createDeltaWatch({ node, typeUrl, versionInfo: '', ...(respondIfUnchanged ? { respondIfUnchanged: true } : {}) }, current.sub, respond),
    );
  };

  const takeResponse = (): ResponseParts | undefined => {
    const next = table.next((r) => r.systemVersion);
    if (!next) return undefined;
    const { node, typeUrl, state, pending, nonce, version } = next;
    const res = pending.response;
    state.sub.setReturned(res.returned);
    const onResponse = cb.onDeltaStreamResponse;
    const info = { typeUrl, systemVersionInfo: version, nonce, resources: res.resources, removedResources: res.removed };
    if (onResponse && !core.guard(() => onResponse.call(cb, opts.streamId, pending.request, info))) return undefined;
    if (!core.guard(() => opts.watcher.recordProgress(node, 'sent', { typeUrl, version, nonce }))) return undefined;
    return encodeDeltaResponse(res, nonce);
  };

  return assembleStream(core, table, { onOpen: cb.onDeltaStreamOpen?.bind(cb), receive, takeResponse });
}

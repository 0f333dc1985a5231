/**
 * Helpers for testing a controller and what it serves
 * (`fsm-control-plane/testing`): a programmatic xDS client that speaks ADS and
 * the per-type services, SotW and delta, with explicit ACK/NACK; and a fake
 * ConfigWatcher to drive the server without a cache. Test frameworks are not
 * assumed: every helper works with plain promises.
 */
export {
  createAdsClient,
  type AdsClient,
  type AdsClientOptions,
  type ClientResource,
  type ClientResponse,
  type ClientStatus,
  type RawRequest,
} from '../transport/ads-client.js';
export { createFakeWatcher, type FakeResource, type FakeWatcher } from './fake-watcher.js';

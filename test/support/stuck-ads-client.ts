import http2 from 'node:http2';
import type { Test } from 'tap';
import { xdsRoot } from '../../server/codec/protos.js';
import { grpcFrame } from './grpc-frame.js';
import { NODE } from './xds-harness.js';

/**
 * An ADS client that asks for `typeUrl` (`requests` times, each with an empty
 * nonce, so each asks afresh) and never reads: a raw HTTP/2 gRPC call whose
 * response stream is paused, so it grants no flow-control window (a grpc-js
 * client would keep reading up to its readable high-water mark).
 */
export function stuckAdsClient(t: Test, address: string, typeUrl: string, requests = 1): void {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => {});
  const req = session.request({
    ':method': 'POST',
    ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  req.on('error', () => {});
  req.pause();
  const Request = xdsRoot().lookupType('envoy.service.discovery.v3.DiscoveryRequest');
  for (let i = 0; i < requests; i++) {
    req.write(grpcFrame(Request.encode(Request.fromObject({ node: NODE, typeUrl, resourceNames: [] })).finish()));
  }
  t.teardown(() => {
    req.close();
    session.destroy();
  });
}

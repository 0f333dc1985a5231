import * as grpc from '@grpc/grpc-js';
import { typeForUrl, TypeUrl } from '../src/index.js';

/**
 * Client side of the fan-out benchmark, forked by bench/xds-fanout.ts: holds
 * `count` ADS streams, each on its own HTTP/2 connection (as separate proxies
 * would), subscribed to one ClusterLoadAssignment with raw grpc-js calls
 * (bytes in, bytes out). Each stream ACKs what it receives. Talks to the
 * parent over IPC:
 *   → {type:'ready', count, failed}  every stream holds a first response or failed
 *   ← {type:'expect', version}       start watching for `version`
 *   → {type:'expecting'}             (acknowledged, before the update is sent)
 *   → {type:'received', times}       Date.now() at receipt of `version`, per stream
 *   ← {type:'close'}                 close everything and exit
 */

const ADS_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const [address = '', countArg = '0', idPrefix = 'c'] = process.argv.slice(2);
const count = Number(countArg);
const reqType = typeForUrl('type.googleapis.com/envoy.service.discovery.v3.DiscoveryRequest');
if (!reqType) throw new Error('discovery types not loaded');
const bytes = (b: Buffer) => b;

interface StreamState {
  version: string;
  ready?: boolean;
  failed?: boolean;
  call: grpc.ClientDuplexStream<Buffer, Buffer>;
  client: grpc.Client;
}

const streams: StreamState[] = [];
let expected: string | undefined;
const times: number[] = [];
let ready = 0;
let failed = 0;
const reportReady = () => {
  if (ready + failed === count) process.send?.({ type: 'ready', count: ready, failed });
};

function request(node: string | undefined, version: string, nonce: string): Buffer {
  const msg = reqType!.create({
    ...(node ? { node: { id: node, cluster: 'bench' } } : {}),
    typeUrl: TypeUrl.Endpoint,
    resourceNames: ['fanout'],
    versionInfo: version,
    responseNonce: nonce,
  });
  return Buffer.from(reqType!.encode(msg).finish());
}

/**
 * version_info (field 1) and nonce (field 5) of a DiscoveryResponse, read
 * straight off the wire: a full decode of every 20 KB response would make
 * the clients, which share the machine's cores with the server, the
 * bottleneck being measured.
 */
function versionAndNonce(buf: Buffer): { versionInfo: string; nonce: string } {
  let versionInfo = '';
  let nonce = '';
  let pos = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++] ?? 0;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      if (tag >>> 3 === 1) versionInfo = buf.toString('utf8', pos, pos + len);
      if (tag >>> 3 === 5) nonce = buf.toString('utf8', pos, pos + len);
      pos += len;
    } else if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else break;
  }
  return { versionInfo, nonce };
}

function open(i: number): void {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const call = client.makeBidiStreamRequest(ADS_METHOD, bytes, bytes);
  const state: StreamState = { version: '', call, client };
  streams.push(state);
  call.on('data', (data: Buffer) => {
    const at = Date.now();
    const res = versionAndNonce(data);
    const first = state.version === '';
    state.version = res.versionInfo;
    if (res.versionInfo === expected) times.push(at);
    call.write(request(undefined, res.versionInfo, res.nonce));
    if (first) {
      state.ready = true;
      ready++;
      reportReady();
    }
    if (expected !== undefined && times.length === ready) {
      process.send?.({ type: 'received', times: times.splice(0) });
      expected = undefined;
    }
  });
  call.on('error', () => {
    // A stream that never got its first response is left out of the measurement (and counted).
    if (!state.ready && !state.failed) {
      state.failed = true;
      failed++;
      reportReady();
    }
  });
  call.write(request(`${idPrefix}-${i}`, '', ''));
}

process.on('message', (m: { type: string; version?: string }) => {
  if (m.type === 'expect') {
    expected = m.version;
    process.send?.({ type: 'expecting' });
  }
  if (m.type === 'close') {
    for (const s of streams) {
      s.call.cancel();
      s.client.close();
    }
    setTimeout(() => process.exit(0), 100);
  }
});

// Ramp up in batches so connection setup does not swamp the server's accept loop.
let opened = 0;
const batch = () => {
  for (let n = 0; n < 100 && opened < count; n++) open(opened++);
  if (opened < count) setTimeout(batch, 20);
};
batch();

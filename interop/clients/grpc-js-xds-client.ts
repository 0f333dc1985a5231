import * as grpc from '@grpc/grpc-js';
import * as grpcJsXds from '@grpc/grpc-js-xds';
import { ECHO_METHOD } from '../echo-backend.js';

/**
 * A real xDS client (@grpc/grpc-js-xds) in its own process: calls
 * `xds:///<target>` in a loop and prints one JSON line per call,
 * `{"seq", "backend"}` or `{"seq", "error"}`. The bootstrap comes from
 * GRPC_XDS_BOOTSTRAP_CONFIG, which the library reads once per process.
 */
grpcJsXds.register();
const target = process.argv[2] ?? 'echo';
const client = new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure());
const bytes = (b: Buffer) => b;
let seq = 0;
let stopped = false;

function callOnce(): void {
  if (stopped) return;
  const s = seq++;
  client.makeUnaryRequest(ECHO_METHOD, bytes, bytes, Buffer.alloc(0), { deadline: Date.now() + 2000 }, (err, res) => {
    const line = err ? { seq: s, error: `${err.code}: ${err.details}` } : { seq: s, backend: res?.toString() ?? '' };
    process.stdout.write(JSON.stringify(line) + '\n');
    setTimeout(callOnce, 10);
  });
}

process.on('SIGTERM', () => {
  stopped = true;
  client.close();
  process.exit(0);
});
callOnce();

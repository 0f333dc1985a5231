import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import type { ResponseParts } from '../../../server/codec/discovery.js';
import { methodPath, serviceDefinition, serviceFor } from '../../../server/transport/services.js';

// The services join each response's parts in one buffer shared by every response (services.ts):
// this holds only while grpc-js copies what it serializes before serializing the next one.

/** Distinct bytes for stream `s`, message `m`: a shared head part and an own tail part, `size` bytes in all. */
function message(s: number, m: number, size: number): { parts: ResponseParts; whole: Buffer } {
  const head = Buffer.alloc(size - 16, (s * 7 + m * 13) % 251);
  const tail = Buffer.from(`s${String(s).padStart(6, '0')}m${String(m).padStart(7, '0')}`);
  return { parts: { parts: [head, tail], length: head.length + tail.length }, whole: Buffer.concat([head, tail]) };
}

t.test('responses written back to back on many streams, some larger than the shared buffer, arrive intact', async (t) => {
  const ads = serviceFor('');
  if (!ads) return t.fail('no ADS service');
  const server = new grpc.Server();
  const STREAMS = 12;
  const sizes = [100_000, 20_000, 3_000_000, 50_000];
  // The definition the xDS server registers, so the responses go through its serializer.
  server.addService(serviceDefinition(ads), {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<Buffer, ResponseParts>) => {
      call.once('data', (b: Buffer) => {
        const s = Number(b.toString());
        // No waiting between writes: grpc-js takes the first at once and buffers the rest (as parts).
        for (const [m, size] of sizes.entries()) call.write(message(s, m, size).parts);
        call.end();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  t.teardown(() => server.forceShutdown());
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 8 << 20 });
  t.teardown(() => client.close());
  const pass = (b: Buffer) => b;
  const received = await Promise.all(
    Array.from({ length: STREAMS }, (_, s) => {
      const call = client.makeBidiStreamRequest(methodPath(ads, 'sotw'), pass, pass);
      const got: Buffer[] = [];
      call.on('data', (b: Buffer) => got.push(b));
      call.write(Buffer.from(String(s)));
      return new Promise<Buffer[]>((resolve, reject) => {
        call.on('end', () => resolve(got));
        call.on('error', reject);
      });
    }),
  );
  let intact = 0;
  for (const [s, got] of received.entries()) {
    t.equal(got.length, sizes.length, `stream ${s}: every message`);
    for (const [m, b] of got.entries()) if (b.equals(message(s, m, sizes[m] as number).whole)) intact++;
  }
  t.equal(intact, STREAMS * sizes.length, 'every message is the one written, byte for byte');
});

import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { createServer } from 'node:net';
import { createSnapshotCache } from '../../../cache/index.js';
import { routeGrpcLogging } from '../../../server/transport/grpc-logging.js';
import { createXdsServer } from '../../../server/transport/grpc-server.js';
import { createJsonLogger } from '../../../src/shared/logger.js';

// grpc-js writes its own "E No address added out of total 1 resolved" line
// to stderr when its listen fails. The server's own listener now binds the
// port (grpc-js never does), so a taken port is one rejection and no line;
// whatever grpc-js still logs goes through our logger.
t.test('a failed listen leaves no raw grpc-js line on stderr; grpc-js lines reach our logger', async (t) => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => taken.close(() => r())));
  const port = (taken.address() as { port: number }).port;

  const lines: Record<string, unknown>[] = [];
  routeGrpcLogging(createJsonLogger({ level: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }));
  const stderr: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
  const server = createXdsServer({ watcher: createSnapshotCache() });
  try {
    await t.rejects(server.listen(`127.0.0.1:${port}`), /EADDRINUSE/);
  } finally {
    process.stderr.write = write;
    await server.close({ graceMs: 0 });
  }
  t.same(stderr.filter((l) => /^E /.test(l)), [], 'nothing written by grpc-js itself');
  grpc.experimental.log(grpc.logVerbosity.ERROR, 'No address added out of total 1 resolved');
  t.match(lines, [{ level: 'warn', component: 'grpc-js', msg: /^No address added out of total 1 resolved/ }]);
});

import { connect } from 'node:net';
import t, { type Test } from 'tap';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { PipyRepoServer, PipyRepoServerOptions, StatusReport } from '../../../server/pipy-repo/types.js';
import { waitFor } from '../../support/wait-for.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';
import { chunkedReportRequest, fullMetrics, incrementalMetrics, pipyStatusReport } from './fixtures/pipy-status-report.js';

const NAME = 'fsm-sidecar/0b9a4d2e-1111-4c3a-9d3e-5f0e1a2b3c4d.sidecar.bookbuyer.bookbuyer';
const PATH = `/repo/${NAME}/`;

async function start(t: Test, options: Partial<PipyRepoServerOptions> = {}) {
  const codebases = createFakeCodebases();
  codebases.setConfig(NAME, { weight: 50 });
  const reports: StatusReport[] = [];
  const server: PipyRepoServer = createPipyRepoServer({ listen: '127.0.0.1:0', codebases, onStatus: (r) => reports.push(r), ...options });
  const { port } = await server.start();
  t.teardown(() => server.close());
  return { server, port, reports, version: codebases.get(NAME)?.version ?? '' };
}

/** Writes raw bytes on one connection and collects the answers until `count` responses arrived or the server closed. */
function exchange(port: number, bytes: Buffer | string, count = 1): Promise<{ statuses: number[]; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const statuses = () => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const done = () => {
      socket.destroy();
      resolve({ statuses: statuses(), text });
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (statuses().length >= count) done();
    });
    socket.on('close', done);
    socket.on('error', reject);
    socket.write(bytes);
  });
}

t.test("a 20 KB report with metrics, chunked as Pipy's encoder sends it, is read and recorded", async (t) => {
  const { server, port, reports } = await start(t);
  const body = pipyStatusReport({ uuid: 'c1d5a9e2-7b1f-4f1e-9a43-2d0c9b8e7f61', metrics: fullMetrics(), targetBytes: 20_000 });
  t.ok(body.length >= 19_000 && body.length <= 27_000, `report of ${body.length} bytes, as with FSM's scripts`);
  const request = chunkedReportRequest(PATH, body);
  const head = request.toString('latin1', 0, request.indexOf('{'));
  t.ok(head.endsWith(`\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n${body.length.toString(16).toUpperCase()}\r\n`), 'the whole body in one upper-case hex chunk');
  const { statuses } = await exchange(port, Buffer.concat([request, Buffer.from(`HEAD ${PATH} HTTP/1.1\r\nhost: h\r\n\r\n`)]), 2);
  t.equal(statuses.length, 2, 'the report and the request after it on the same connection are answered');
  t.ok(statuses[0] === 201 || statuses[0] === 206, `the report is accepted (${statuses[0]})`);
  t.equal(statuses[1], 200, 'the next request is read where the chunked body ended');
  await waitFor('the report', () => reports.length === 1);
  t.equal(reports[0]?.body['ip'], '10.244.0.12');
  t.match(server.instances(), [{ codebase: NAME, instanceId: 'c1d5a9e2-7b1f-4f1e-9a43-2d0c9b8e7f61', version: '', name: '' }], 'version is "" until the first reload');
});

/** Sends one report on its own connection (as Pipy's Fetch does for each); chunked when above Pipy's 16 KiB buffer. */
async function post(port: number, body: string): Promise<number> {
  const request =
    body.length > 16 * 1024
      ? chunkedReportRequest(PATH, body)
      : Buffer.from(`POST ${PATH} HTTP/1.1\r\ncontent-type: application/json\r\nhost: h\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`);
  return (await exchange(port, request)).statuses[0] ?? 0;
}

/**
 * Pipy 1.5.14's StatusReporter (src/main.cpp) as far as the repo can see it:
 * a full metrics block (version 0) first and after any answer but 206, else
 * only changes, naming the previous block's version in `last`.
 */
function pipyReporter(uuid: string) {
  let initial = true;
  let version = 0;
  let clock = 1_732_262_400_000;
  return {
    next(runningVersion: string): string {
      const full = initial;
      const last = version;
      version = full ? 0 : (clock += 5000);
      initial = false;
      // With the module graphs a full report is about 20 KB, so Pipy sends it chunked; the graphs come every time.
      const metrics = full ? fullMetrics() : incrementalMetrics(version, last);
      return pipyStatusReport({ uuid, version: runningVersion, name: 'bookbuyer-5d7c9', metrics, moduleBytes: 10_000 });
    },
    answered(status: number) {
      if (status !== 206) initial = true;
    },
  };
}

t.test('206 once the metrics are read: Pipy then sends only changes, and uuid, name and version are kept from them', async (t) => {
  const { server, port, version } = await start(t);
  const pipy = pipyReporter('c1d5a9e2-7b1f-4f1e-9a43-2d0c9b8e7f61');
  const sizes: number[] = [];
  const statuses: number[] = [];
  for (let round = 0; round < 4; round++) {
    const body = pipy.next(round === 0 ? '' : version);
    sizes.push(body.length);
    const status = await post(port, body);
    statuses.push(status);
    pipy.answered(status);
  }
  t.same(statuses, [206, 206, 206, 206]);
  t.ok((sizes[0] ?? 0) > 16 * 1024, `the first report (${sizes[0]} bytes) is sent chunked`);
  const saved = (sizes[0] ?? 0) - JSON.stringify(fullMetrics()).length + JSON.stringify(incrementalMetrics(1, 0)).length;
  t.ok(sizes.slice(1).every((s) => Math.abs(s - saved) < 64), `later reports carry metric values only (${sizes.join(', ')} bytes)`);
  t.match(server.instances(), [{ instanceId: 'c1d5a9e2-7b1f-4f1e-9a43-2d0c9b8e7f61', name: 'bookbuyer-5d7c9', version }], 'the running version comes from the incremental reports');
});

t.test('a broken chain is answered 201, and Pipy starts again with a full report', async (t) => {
  const first = await start(t);
  const pipy = pipyReporter('i-1');
  for (const expected of [206, 206]) {
    const status = await post(first.port, pipy.next(''));
    t.equal(status, expected);
    pipy.answered(status);
  }
  // A repo that never saw this instance (restarted, or forgot it) cannot follow its changes.
  const second = await start(t);
  const statuses: number[] = [];
  for (let round = 0; round < 3; round++) {
    const status = await post(second.port, pipy.next(''));
    statuses.push(status);
    pipy.answered(status);
  }
  t.same(statuses, [201, 206, 206], 'refused changes, then the full report restarts the chain');
  t.equal(await post(second.port, pipyStatusReport({ uuid: 'i-1', metrics: incrementalMetrics(99, 12345) })), 201, 'changes after a block the repo never read');
  t.equal(await post(second.port, pipyStatusReport({ uuid: 'i-1' })), 201, 'no metrics');
  t.equal(await post(second.port, pipyStatusReport({ uuid: 'i-1', metrics: { version: 0 } })), 201, 'metrics without roots');
  t.equal(await post(second.port, pipyStatusReport({ uuid: 'i-1', metrics: [1, 2] })), 201, 'metrics that are not an object');
});

t.test('what a report may make the repo hold is bounded', async (t) => {
  const { server, port } = await start(t, { maxInstances: 50, maxStatusBytes: 64 * 1024 });
  t.equal(await post(port, pipyStatusReport({ uuid: 'big', targetBytes: 70_000 })), 413, 'a chunked report past maxStatusBytes');
  t.equal(await post(port, pipyStatusReport({ uuid: 'long-name', name: 'n'.repeat(257) })), 400, 'a name longer than 256 characters');
  t.equal(await post(port, pipyStatusReport({ uuid: 'long-version', version: 'v'.repeat(257) })), 400, 'a version longer than 256 characters');
  t.equal(await post(port, pipyStatusReport({ uuid: 'u'.repeat(129) })), 400, 'a uuid longer than 128 characters');
  for (let i = 0; i < 200; i++) {
    const status = await post(port, pipyStatusReport({ uuid: `flood-${i}`, name: 'n'.repeat(256), targetBytes: 30_000 }));
    if (status !== 201) t.fail(`report ${i}: ${status}`);
  }
  t.equal(server.instances().length, 50, '200 distinct uuids, 50 remembered');
  t.same(
    server.instances().map((r) => r.instanceId).sort(),
    Array.from({ length: 50 }, (_, i) => `flood-${150 + i}`).sort(),
    'the 50 most recent are kept',
  );
});

import { connect } from 'node:net';
import t, { type Test } from 'tap';
import { createPipyRepoServer } from '../../../server/pipy-repo/server.js';
import type { PipyRepoServer, PipyRepoServerOptions, StatusReport } from '../../../server/pipy-repo/types.js';
import { waitFor } from '../../support/wait-for.js';
import { createFakeCodebases } from './fixtures/fake-codebases.js';
import { chunkedReportRequest, fullMetrics, pipyStatusReport } from './fixtures/pipy-status-report.js';

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

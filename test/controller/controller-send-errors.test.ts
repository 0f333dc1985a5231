import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { createController } from '../../src/controller/controller.js';
import { parseControllerOptions } from '../../src/controller/options.js';
import { waitFor } from '../support/wait-for.js';
import { closingAdminLink } from '../support/closing-admin-link.js';
import { bookstoreCopy } from '../support/bookstore-copy.js';

// Pipy admin links count in fsm_proxy_connect_count{transport="repo"}, and a
// reload that cannot reach its sidecar counts in fsm_proxy_response_send_error_count.

const BOOKBUYER_UUID = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';
const BOOKBUYER_CN = `${BOOKBUYER_UUID}.sidecar.bookbuyer.bookbuyer`;
const LINK_PATH = `/repo/fsm-sidecar/${BOOKBUYER_CN}`;

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sum of the samples of `name` whose labels include every pair of `labels`. */
function total(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

t.test('admin links move fsm_proxy_connect_count{transport="repo"}; a reload that fails is a send error', async (t) => {
  const { dir, stateDir } = await bookstoreCopy(t, 'fsm-send-errors');
  const o = parseControllerOptions(['--source', `file:${dir}`, '--state-dir', stateDir, '--quiet-ms', '20', '--max-delay-ms', '100',
    '--xds-listen', '127.0.0.1:0', '--repo-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'], {});
  if (o === 'help') throw new Error('unexpected help');
  const controller = createController(o);
  t.teardown(() => controller.close());
  const ports = await controller.start();
  await waitFor('ready', () => controller.isReady());
  const metric = async (name: string, labels: Record<string, string>) => total(await scrape(ports.admin), name, labels);
  const links = () => metric('fsm_proxy_connect_count', { transport: 'repo' });

  t.equal(await links(), 0, 'no admin link yet');
  const live = new WebSocket(`ws://127.0.0.1:${ports.repo}${LINK_PATH}/instance-live`);
  t.teardown(() => live.terminate());
  const reloads: string[] = [];
  live.on('message', (m) => reloads.push(String(m)));
  await new Promise((resolve, reject) => live.once('open', resolve).once('error', reject));
  await waitFor('one link counted', async () => (await links()) === 1);
  const closing = await closingAdminLink(t, ports.repo, `${LINK_PATH}/instance-closing`);
  await waitFor('two links counted', async () => (await links()) === 2);

  const successBefore = await metric('fsm_proxy_response_send_success_count', { proxy_uuid: BOOKBUYER_UUID, type: 'reload' });
  // A mesh-wide change: every sidecar's config changes, so both links are due a reload.
  const meshConfig = join(dir, '01-mesh-config.yaml');
  await writeFile(meshConfig, (await readFile(meshConfig, 'utf8')).replace('logLevel: error', 'logLevel: debug'));
  await waitFor('the live link got its reload', () => reloads.includes('reload'));
  await waitFor('the failed reload counted', async () => (await metric('fsm_proxy_response_send_error_count', { type: 'reload' })) === 1);
  t.pass('the reload to the closing link counted as a send error');
  t.equal(
    await metric('fsm_proxy_response_send_error_count', { proxy_uuid: BOOKBUYER_UUID, identity: 'bookbuyer.bookbuyer', type: 'reload' }),
    1,
    "labelled with the proxy's uuid and identity",
  );
  t.ok((await metric('fsm_proxy_response_send_success_count', { proxy_uuid: BOOKBUYER_UUID, type: 'reload' })) > successBefore, 'the delivered reload counted as sent');

  live.close();
  await waitFor('the closed link uncounted', async () => (await links()) === 1);
  closing.destroy();
  await waitFor('no link counted', async () => (await links()) === 0);
  t.pass('the gauge went back to 0 as the links closed');
});

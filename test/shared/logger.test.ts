import t from 'tap';
import { createJsonLogger, createLogger } from '../../src/shared/logger.js';

const KEY = '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----';

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  return { lines, logger: createLogger({ ...options, write: (l) => lines.push(l) }) };
}

t.test('json: one object per line, base fields, private keys redacted', async (t) => {
  const { lines, logger } = capture({ base: { component: 'x' } });
  logger.info('hello', { n: 1, privateKey: KEY });
  const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
  t.match(line, { level: 'info', msg: 'hello', component: 'x', n: 1, privateKey: '[redacted]' });
  t.match(line.time, /^\d{4}-\d\d-\d\dT/);
});

t.test('text: time, level, message, then key=value with quoting only where needed', async (t) => {
  const { lines, logger } = capture({ format: 'text', base: { component: 'fsm-controller' } });
  logger.warn('manifest problem', { file: '/tmp/a b.yaml', line: 3, ok: true, nested: { a: [1] }, cert: KEY, missing: undefined });
  t.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN  manifest problem file="\/tmp\/a b\.yaml" line=3 ok=true nested=\{"a":\[1\]\} cert=\[redacted\] component=fsm-controller$/);
  logger.error('x', { s: 'plain', q: 'has "quote"', e: 'a=b' });
  t.match(lines[1], / ERROR x s=plain q="has \\"quote\\"" e="a=b" component=fsm-controller$/);
  t.equal(lines.length, 2);
});

t.test('setLevel changes the threshold while running; off drops everything', async (t) => {
  const { lines, logger } = capture({ level: 'warn' });
  logger.info('hidden');
  t.equal(logger.level, 'warn');
  logger.setLevel('debug');
  logger.debug('shown');
  logger.setLevel('off');
  logger.error('dropped');
  t.equal(logger.level, 'off');
  t.same(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['shown']);
  const json = createJsonLogger({ level: 'error', write: (l) => lines.push(l) });
  json.setLevel('info');
  json.info('json too');
  t.equal(lines.length, 2);
});

import t from 'tap';
import { createMeshConfigLogLevel, logLevelFromMeshConfig } from '../../src/controller/log-level.js';
import { createModelStore } from '../../src/model/store.js';
import type { MeshObject } from '../../src/model/types.js';
import { createLogger } from '../../src/shared/logger.js';

const meshConfig = (observability: Record<string, unknown> | undefined): MeshObject => ({
  apiVersion: 'config.flomesh.io/v1alpha3',
  kind: 'MeshConfig',
  metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' },
  spec: observability ? { observability } : {},
});

t.test("FSM's level names map to the logger's", async (t) => {
  t.same(
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic', 'disabled', 'loud', 3].map(logLevelFromMeshConfig),
    ['debug', 'debug', 'info', 'warn', 'error', 'error', 'error', 'off', undefined, undefined],
  );
});

t.test('observability.fsmLogLevel is applied live and the boot level returns when it goes', async (t) => {
  const lines: { level: string; msg: string; to?: string }[] = [];
  const logger = createLogger({ level: 'info', write: (l) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
  const base = createModelStore();
  const level = createMeshConfigLogLevel({ store: base, logger, bootLevel: 'info', fsmNamespace: 'fsm-system' });
  level.apply();
  // As the controller's pipeline does: the level is re-read after every batch that changes the MeshConfig.
  const store = {
    ...base,
    apply: (events: Parameters<typeof base.apply>[0]) => {
      const r = base.apply(events);
      if (r.changes.some((c) => c.kind === 'MeshConfig')) level.apply();
      return r;
    },
  };
  t.equal(logger.level, 'info', 'no MeshConfig: the boot level');

  store.apply([{ type: 'upsert', object: meshConfig({ fsmLogLevel: 'debug' }) }]);
  t.equal(logger.level, 'debug');
  logger.debug('now visible');
  t.match(lines.map((l) => l.msg), ['log level changed', 'now visible']);

  store.apply([{ type: 'upsert', object: meshConfig({ fsmLogLevel: 'bogus' }) }]);
  t.equal(logger.level, 'debug', 'an invalid level is refused with the MeshConfig; the previous one stays');
  t.ok(store.errors().some((e) => e.field === 'spec.observability.fsmLogLevel'));

  store.apply([{ type: 'upsert', object: meshConfig({ fsmLogLevel: 'error' }) }]);
  t.equal(logger.level, 'error');
  t.match(lines.at(-1), { msg: 'log level changed', to: 'error' }, 'announced before the level went up');
  logger.warn('hidden');
  t.notOk(lines.some((l) => l.msg === 'hidden'));

  store.apply([{ type: 'upsert', object: meshConfig(undefined) }]);
  t.equal(logger.level, 'info', 'the field removed: back to --log-level');
  store.apply([{ type: 'upsert', object: meshConfig({ fsmLogLevel: 'disabled' }) }]);
  t.equal(logger.level, 'off');
  store.apply([{ type: 'delete', object: meshConfig(undefined) }]);
  t.equal(logger.level, 'info', 'the MeshConfig deleted: back to --log-level');
});

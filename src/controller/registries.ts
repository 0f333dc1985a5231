/**
 * The controller's service-registry parts in one place: the connector
 * manager (connector objects start registry sources at run time) and the
 * registration of mesh services into registries (for `--source` values and
 * connectors with sync enabled). The controller calls `start` before its
 * sources start, `applied` with the changes of every batch the model
 * applied (connector objects of the first sync included), and `close`
 * before it closes its sources.
 */
import type { Source, SourceHandlers } from '../model/source-events.js';
import type { ModelStore } from '../model/store.js';
import type { ModelChange } from '../model/view.js';
import type { Logger } from '../shared/logger.js';
import { createRegistrySync, type RegistrySyncStatus } from '../registry-sync/registry-sync.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { SourceContext, SourceSpec } from '../sources/scheme.js';
import { createConnectorManager, type ConnectorStatus } from './connectors.js';

export interface RegistriesOptions {
  readonly store: ModelStore;
  readonly registry: SourceRegistry;
  readonly context: SourceContext;
  /** The `--source` values: those with `sync=true` register mesh services. */
  readonly staticSpecs: readonly SourceSpec[];
  /** The controller's own source handlers, for the connectors' sources. */
  readonly handlers: SourceHandlers;
  readonly logger: Logger;
}

export interface Registries {
  start(): void;
  /** The changes of a batch the model applied. */
  applied(changes: readonly ModelChange[]): void;
  /** Sources started by connectors, now. */
  sources(): readonly Source[];
  status(): { readonly connectors: readonly ConnectorStatus[]; readonly sync: readonly RegistrySyncStatus[] };
  close(): Promise<void>;
}

export function createRegistries(o: RegistriesOptions): Registries {
  let connectorSpecs: readonly SourceSpec[] = [];
  const sync = createRegistrySync({
    view: o.store,
    registrant: `fsm-control-plane/${o.context.meshName}`,
    report: (scope, problems) => o.store.setSourceProblems(scope, problems),
    logger: o.logger,
  });
  const setTargets = () => sync.setTargets([...o.staticSpecs, ...connectorSpecs]);
  const connectors = createConnectorManager({
    registry: o.registry,
    context: o.context,
    view: o.store,
    handlers: o.handlers,
    logger: o.logger,
    onSpecs: (specs) => {
      connectorSpecs = specs;
      setTargets();
    },
  });
  return {
    start: setTargets,
    applied(changes) {
      connectors.apply(changes);
      sync.changed();
    },
    sources: () => connectors.sources(),
    status: () => ({ connectors: connectors.status(), sync: sync.status() }),
    async close() {
      await Promise.all([connectors.close(), sync.close()]);
    },
  };
}

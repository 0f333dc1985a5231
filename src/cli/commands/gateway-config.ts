/**
 * `fsm-controller config --gateway <namespace/name>`: a Gateway's config.json
 * as the controller serves it (pretty-printed, in served order), private keys
 * redacted unless --show-secrets. Generation problems and the codebase name
 * go to stderr. The config does not depend on the base scripts, so no
 * --gateway-codebase is needed.
 */
import { createGatewayGenerator } from '../../generate/gateway/generator.js';
import type { ModelStore } from '../../model/store.js';
import { redact } from '../../shared/logger.js';

export interface GatewayConfigIO {
  readonly showSecrets: boolean;
  out(text: string): void;
  err(text: string): void;
}

const NO_BASE = { main: '/main.js', files: new Map([['/main.js', new Uint8Array()]]) };

/** Prints the config; returns the exit code (1 when the Gateway is not one this controller runs). */
export function printGatewayConfig(store: ModelStore, key: string, io: GatewayConfigIO): number {
  const gen = createGatewayGenerator({ base: NO_BASE });
  if (!gen.hasNode(store, key)) {
    const nodes = gen.nodes(store);
    io.err(
      nodes.length === 0
        ? `no gateway "${key}": no Gateway of a GatewayClass with controllerName flomesh.io/gateway-controller, or MeshConfig gatewayAPI.enabled is false`
        : `no gateway "${key}"; gateways (namespace/name):\n${nodes.map((n) => `  ${n}`).join('\n')}`,
    );
    return 1;
  }
  const node = gen.generate(store, key, gen.beginBatch(store));
  io.err(`codebase: /repo/${node.codebaseName}/ version ${node.version}`);
  for (const p of node.problems) io.err(`problem: ${p.object}${p.field ? `: ${p.field}` : ''}: ${p.reason}${p.code ? ` [${p.code}]` : ''}`);
  const config = JSON.parse(node.configJson) as unknown;
  io.out(JSON.stringify(io.showSecrets ? config : redact(config), null, 2));
  return 0;
}

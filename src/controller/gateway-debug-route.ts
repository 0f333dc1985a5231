/**
 * `GET /debug/gateways` on the admin port: every Gateway this controller
 * runs with its codebase, config version, generation problems, status
 * (conditions and listeners) and the Pipy instances running it; the status of
 * every route and policy the gateway controller owns; and the unhealthy
 * conditions as problem lines. Private keys never appear (the config itself
 * is not included: `fsm-controller config --gateway` prints it).
 */
import type { InstanceRecord } from '../../server/pipy-repo/types.js';
import type { GatewayGenerator } from '../generate/gateway/generator.js';
import { computeGatewayStatus } from '../generate/gateway/status/gateway-status.js';
import { formatStatusProblem, statusProblems } from '../generate/gateway/status/status-problems.js';
import type { ModelView } from '../model/view.js';
import type { AdminHandler } from '../observability/admin-http.js';

export interface GatewayDebugRouteDeps {
  readonly view: ModelView;
  readonly generator: GatewayGenerator;
  /** The version of a codebase as published to the repo cache, if any. */
  readonly publishedVersion?: (codebaseName: string) => string | undefined;
  /** The repo server's known Pipy instances. */
  readonly instances?: () => readonly InstanceRecord[];
}

export function createGatewayDebugRoute(deps: GatewayDebugRouteDeps): AdminHandler {
  return () => {
    const { view, generator } = deps;
    const report = computeGatewayStatus(view);
    const statusByKey = new Map(report.gateways.map((g) => [`${g.namespace}/${g.name}`, g.status]));
    const instances = deps.instances?.() ?? [];
    const batch = generator.beginBatch(view);
    const gateways = generator.nodes(view).map((key) => {
      const node = generator.generate(view, key, batch);
      return {
        gateway: key,
        codebase: node.codebaseName,
        configVersion: node.version,
        publishedVersion: deps.publishedVersion?.(node.codebaseName) ?? null,
        pipy: instances
          .filter((i) => i.codebase === node.codebaseName)
          .map((i) => ({ instance: i.instanceId, address: i.address, runningVersion: i.version, reportedAt: i.reportedAt ? new Date(i.reportedAt).toISOString() : null, linked: i.linked })),
        status: statusByKey.get(key) ?? null,
        problems: node.problems,
      };
    });
    return {
      status: 200,
      body: {
        enabled: view.meshConfig.spec.gatewayAPI.enabled,
        gateways,
        gatewayClasses: report.classes.map((s) => ({ name: s.name, status: s.status })),
        routes: report.routes.map((s) => ({ kind: s.kind, route: `${s.namespace}/${s.name}`, status: s.status })),
        policies: report.policies.map((s) => ({ kind: s.kind, policy: `${s.namespace}/${s.name}`, status: s.status })),
        problems: statusProblems(report).map(formatStatusProblem),
      },
    };
  };
}

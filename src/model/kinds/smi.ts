/**
 * SMI kinds: access.smi-spec.io/v1alpha3 TrafficTarget,
 * specs.smi-spec.io/v1alpha4 HTTPRouteGroup/TCPRoute/UDPRoute,
 * split.smi-spec.io/v1alpha4 TrafficSplit. Field names follow the SMI specs.
 */
import { s } from '../schema/dsl.js';
import type { KindDefinition } from './definition.js';

const identitySubject = (code: string) =>
  s.object(
    {
      kind: s.enum(['ServiceAccount'], { code, description: 'Kind of the subject; only ServiceAccount is supported.' }),
      name: s.string({ minLength: 1, description: 'Name of the service account.' }),
      namespace: s.string({ description: 'Namespace of the service account (defaults to the TrafficTarget namespace).' }),
    },
    { required: ['kind', 'name'] },
  );

export const trafficTarget: KindDefinition = {
  kind: 'TrafficTarget',
  description: 'Allows traffic from source identities to a destination identity over the listed routes.',
  spec: s.object(
    {
      destination: { ...identitySubject('E2010'), description: 'The identity receiving the traffic.' },
      sources: s.array(identitySubject('E2011'), { description: 'The identities allowed to send traffic.' }),
      rules: s.array(
        s.object(
          {
            kind: s.enum(['HTTPRouteGroup', 'TCPRoute', 'UDPRoute'], { description: 'Kind of the route resource.' }),
            name: s.string({ minLength: 1, description: 'Name of the route resource in the same namespace.' }),
            matches: s.array(s.string(), { description: 'Names of the matches of an HTTPRouteGroup; all when empty.' }),
          },
          { required: ['kind', 'name'] },
        ),
        { description: 'The routes the sources may use.' },
      ),
    },
    { required: ['destination'] },
  ),
  specRequired: true,
  check(obj) {
    // As in OSM/FSM: a TrafficTarget only governs its own namespace's identities.
    const ns = obj.metadata.namespace ?? '';
    const dest = (obj.spec as { destination: { namespace?: string } }).destination;
    return dest.namespace && dest.namespace !== ns
      ? [{ field: 'spec.destination.namespace', reason: `Invalid value: "${dest.namespace}": must be the TrafficTarget's namespace "${ns}"` }]
      : [];
  },
};

export const httpRouteGroup: KindDefinition = {
  kind: 'HTTPRouteGroup',
  description: 'Named HTTP route matches (path regex, methods, headers) referenced by TrafficTargets and TrafficSplits.',
  spec: s.object({
    matches: s.array(
      s.object(
        {
          name: s.string({ minLength: 1, description: 'Name of the match, referenced from TrafficTarget rules.' }),
          methods: s.array(s.enum(['*', 'GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])),
          pathRegex: s.string({ description: 'Regular expression matched against the request path.' }),
          headers: s.map(s.string(), { description: 'Header name to regular expression.' }),
        },
        { required: ['name'] },
      ),
    ),
  }),
  specRequired: true,
  check(obj) {
    const matches = (obj.spec as { matches?: unknown[] } | undefined)?.matches;
    return !Array.isArray(matches) || matches.length === 0
      ? [{ field: 'spec.matches', reason: 'HTTPRouteGroup has no matches', code: 'E2006' }]
      : [];
  },
};

const portRoute = (kind: string, description: string): KindDefinition => ({
  kind,
  description,
  spec: s.object({
    matches: s.object({
      name: s.string(),
      ports: s.array(s.port(), { description: 'Destination ports; all ports when empty.' }),
    }),
  }),
});

export const tcpRoute = portRoute('TCPRoute', 'TCP traffic to the listed ports.');
export const udpRoute = portRoute('UDPRoute', 'UDP traffic to the listed ports.');

export const trafficSplit: KindDefinition = {
  kind: 'TrafficSplit',
  description: 'Splits traffic for an apex (root) service between backend services of the same namespace by weight.',
  spec: s.object(
    {
      service: s.string({ minLength: 1, description: 'The apex service clients address (name or FQDN in this namespace).' }),
      backends: s.array(
        s.object(
          {
            service: s.string({ minLength: 1, description: 'A backend service in the same namespace.' }),
            weight: s.int({ minimum: 0, description: 'Relative weight; 0 makes the backend a failover target (FSM sends it weight 0, used only when the others fail).' }),
          },
          { required: ['service', 'weight'] },
        ),
        { minItems: 1 },
      ),
      matches: s.array(
        s.object({ kind: s.enum(['HTTPRouteGroup']), name: s.string({ minLength: 1 }) }, { required: ['kind', 'name'] }),
      ),
    },
    { required: ['service', 'backends'] },
  ),
  specRequired: true,
  check(obj, ctx) {
    const ns = obj.metadata.namespace ?? '';
    const apex = String((obj.spec as { service?: unknown }).service).split('.')[0];
    for (const other of ctx.listExisting('TrafficSplit', ns)) {
      const otherApex = String((other.spec as { service?: unknown } | undefined)?.service).split('.')[0];
      if (other.metadata.name !== obj.metadata.name && otherApex === apex) {
        return [{ field: 'spec.service', reason: `apex service "${apex}" already has TrafficSplit ${ns}/${other.metadata.name}`, code: 'E2007' }];
      }
    }
    const backends = (obj.spec as { backends?: { service?: unknown }[] } | undefined)?.backends ?? [];
    const errs = [];
    for (const [i, b] of backends.entries()) {
      if (typeof b?.service !== 'string') continue;
      const parts = b.service.split('.');
      if (parts.length > 1 && parts[1] !== ns) {
        errs.push({ field: `spec.backends[${i}].service`, reason: `Invalid value: "${b.service}": backend must be a service in namespace "${ns}"` });
      }
    }
    return errs;
  },
};

/**
 * A STAND-IN for a Nacos server's naming open API (no Nacos server runs on
 * these machines; see /work/shared/reference/environment.md), proven by
 * test/stand-ins/nacos-stand-in.test.ts which drives it with the `nacos`
 * npm client (nacos-naming):
 *
 * v1 (`/nacos/v1/ns/…`, parameters in the query string or a form body):
 * - `POST /instance` registers (`serviceName` either bare with `groupName`,
 *   or `GROUP@@name` as the clients send it; `ip`, `port`, `clusterName`,
 *   `weight`, `enabled`, `healthy`, `ephemeral`, `metadata` as JSON),
 *   answering `ok`; `DELETE /instance` deregisters;
 * - `PUT /instance/beat` (`beat` JSON) renews an ephemeral instance and
 *   answers `{"clientBeatInterval":5000,"code":10200,…}`, or code 20404
 *   when the instance is unknown (clients then register again);
 * - `GET /instance/list` (`healthyOnly`, `clusters`) answers the service
 *   with its `hosts`, `cacheMillis`, `lastRefTime` and `checksum`;
 * - `GET /service/list` (`pageNo`, `pageSize`, `groupName`) answers
 *   `{"count": N, "doms": [...]}`;
 * - `GET /operator/metrics` answers `{"status":"UP",…}`;
 * - `POST /nacos/v1/auth/login` (`username`, `password`) answers an
 *   `accessToken`; with auth on, every other request needs `accessToken`
 *   or `username`+`password` parameters (403 otherwise), as Nacos accepts.
 *
 * v2 (`/nacos/v2/ns/…`): `GET /instance/list` and `GET /service/list`,
 * wrapped as `{"code":0,"message":"success","data":…}`.
 *
 * Ephemeral instances turn unhealthy after `heartbeatTimeoutMs` (15 s as
 * Nacos) without a beat and are removed after `deleteTimeoutMs` (30 s),
 * evaluated lazily at each request. Simplifications: no UDP push to
 * subscribers (clients poll), no persistent-instance health checks, no
 * selectors, one server.
 */
import { createHttpStandIn, type HttpStandIn, type StandInRequest } from './http-stand-in.js';

interface Instance {
  instanceId: string;
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  serviceName: string;
  metadata: Record<string, string>;
  lastBeat: number;
}

export interface NacosStandInOptions {
  /** Turns auth on: the one user. */
  readonly user?: { readonly username: string; readonly password: string };
  readonly heartbeatTimeoutMs?: number;
  readonly deleteTimeoutMs?: number;
}

export interface NacosStandIn {
  readonly http: HttpStandIn;
  /** `http://127.0.0.1:<port>` (the API lives under /nacos). */
  readonly url: string;
  register(i: { service: string; ip: string; port: number; group?: string; namespace?: string; cluster?: string; healthy?: boolean; enabled?: boolean; ephemeral?: boolean; metadata?: Record<string, string> }): void;
  deregister(service: string, ip: string, port: number, opts?: { group?: string; namespace?: string; cluster?: string }): void;
  /** Registers many persistent instances at once (benchmarks). */
  registerMany(list: readonly { service: string; ip: string; port: number }[]): void;
  instances(service: string, opts?: { group?: string; namespace?: string }): Instance[];
  close(): Promise<void>;
}

const DEFAULT_GROUP = 'DEFAULT_GROUP';
const DEFAULT_CLUSTER = 'DEFAULT';

export async function createNacosStandIn(options: NacosStandInOptions = {}): Promise<NacosStandIn> {
  const beatTimeout = options.heartbeatTimeoutMs ?? 15_000;
  const deleteTimeout = options.deleteTimeoutMs ?? 30_000;
  /** namespace → `GROUP@@name` → instance key → instance */
  const spaces = new Map<string, Map<string, Map<string, Instance>>>();
  const tokens = new Set<string>();
  let tokenSeq = 0;

  const space = (ns: string) => {
    let s = spaces.get(ns || 'public');
    if (!s) spaces.set(ns || 'public', (s = new Map()));
    return s;
  };
  const grouped = (serviceName: string, groupName: string | undefined) =>
    serviceName.includes('@@') ? serviceName : `${groupName || DEFAULT_GROUP}@@${serviceName}`;

  function put(ns: string, name: string, i: Omit<Instance, 'instanceId' | 'serviceName' | 'lastBeat'>): void {
    const svc = space(ns);
    let list = svc.get(name);
    if (!list) svc.set(name, (list = new Map()));
    const key = `${i.ip}#${i.port}#${i.clusterName}`;
    const inst: Instance = { ...i, instanceId: `${key}#${name}`, serviceName: name, lastBeat: Date.now() };
    list.set(key, inst);
    if (inst.ephemeral) ephemerals.set(inst, { list, key });
  }

  /** Ephemeral instances (the only ones that expire), with the list holding each. */
  const ephemerals = new Map<Instance, { list: Map<string, Instance>; key: string }>();
  function expire(): void {
    const now = Date.now();
    for (const [i, at] of [...ephemerals]) {
      if (at.list.get(at.key) !== i) ephemerals.delete(i);
      else if (now - i.lastBeat > deleteTimeout) {
        at.list.delete(at.key);
        ephemerals.delete(i);
      } else if (now - i.lastBeat > beatTimeout) i.healthy = false;
    }
  }

  function params(req: StandInRequest): URLSearchParams {
    const p = new URLSearchParams(req.url.searchParams);
    if (req.body.length && /form-urlencoded/.test(String(req.headers['content-type'] ?? ''))) {
      for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) p.set(k, v);
    }
    return p;
  }

  function serviceView(ns: string, name: string, p: URLSearchParams) {
    const clusters = (p.get('clusters') ?? p.get('clusterName') ?? '').split(',').filter(Boolean);
    const healthyOnly = p.get('healthyOnly') === 'true';
    const hosts = [...(space(ns).get(name)?.values() ?? [])]
      .filter((i) => clusters.length === 0 || clusters.includes(i.clusterName))
      .filter((i) => !healthyOnly || i.healthy)
      .map(({ lastBeat: _lastBeat, ...i }) => ({ ...i, instanceHeartBeatInterval: 5000, instanceHeartBeatTimeOut: beatTimeout, ipDeleteTimeout: deleteTimeout }));
    const groupName = name.split('@@')[0];
    return {
      name,
      groupName,
      clusters: clusters.join(','),
      cacheMillis: 10_000,
      hosts,
      lastRefTime: Date.now(),
      checksum: String(hosts.length),
      allIPs: false,
      reachProtectionThreshold: false,
      valid: true,
    };
  }

  function services(ns: string, p: URLSearchParams): { count: number; names: string[] } {
    const group = p.get('groupName') || DEFAULT_GROUP;
    const all = [...space(ns).keys()].filter((k) => k.startsWith(`${group}@@`)).map((k) => k.slice(group.length + 2)).sort();
    const pageNo = Math.max(1, Number(p.get('pageNo') ?? '1'));
    const pageSize = Math.max(1, Number(p.get('pageSize') ?? '10'));
    return { count: all.length, names: all.slice((pageNo - 1) * pageSize, pageNo * pageSize) };
  }

  function authorized(p: URLSearchParams): boolean {
    if (!options.user) return true;
    const token = p.get('accessToken');
    if (token && tokens.has(token)) return true;
    return p.get('username') === options.user.username && p.get('password') === options.user.password;
  }

  const http = await createHttpStandIn((req) => {
    const path = req.url.pathname.replace(/\/+$/, '');
    const p = params(req);
    if (path === '/nacos/v1/auth/login' && req.method === 'POST') {
      if (!options.user || p.get('username') !== options.user.username || p.get('password') !== options.user.password) return { status: 403, body: 'unknown user!' };
      const token = `token-${++tokenSeq}`;
      tokens.add(token);
      return { status: 200, body: { accessToken: token, tokenTtl: 18_000, globalAdmin: true } };
    }
    if (!authorized(p)) return { status: 403, body: 'user not found!' };
    expire();
    const ns = p.get('namespaceId') || 'public';
    const v2 = path.startsWith('/nacos/v2/ns/');
    const api = path.replace(/^\/nacos\/v[12]\/ns/, '');
    const wrap = (data: unknown) => (v2 ? { code: 0, message: 'success', data } : data);

    if (api === '/instance' && !v2) {
      const serviceName = p.get('serviceName');
      const ip = p.get('ip');
      const port = Number(p.get('port'));
      if (!serviceName || !ip || !(port > 0)) return { status: 400, body: 'caused: Param \'serviceName\', \'ip\' and \'port\' are required' };
      const name = grouped(serviceName, p.get('groupName') ?? undefined);
      const cluster = p.get('clusterName') || DEFAULT_CLUSTER;
      if (req.method === 'POST' || req.method === 'PUT') {
        put(ns, name, {
          ip, port, clusterName: cluster,
          weight: Number(p.get('weight') ?? '1') || 1,
          healthy: p.get('healthy') !== 'false',
          enabled: (p.get('enabled') ?? p.get('enable')) !== 'false',
          ephemeral: p.get('ephemeral') !== 'false',
          metadata: p.get('metadata') ? (JSON.parse(p.get('metadata') as string) as Record<string, string>) : {},
        });
        return { status: 200, body: 'ok' };
      }
      if (req.method === 'DELETE') {
        space(ns).get(name)?.delete(`${ip}#${port}#${cluster}`);
        return { status: 200, body: 'ok' };
      }
    }
    if (api === '/instance/beat' && req.method === 'PUT' && !v2) {
      const beat = JSON.parse(p.get('beat') ?? '{}') as { ip?: string; port?: number; cluster?: string; serviceName?: string };
      const name = grouped(p.get('serviceName') ?? beat.serviceName ?? '', p.get('groupName') ?? undefined);
      const inst = space(ns).get(name)?.get(`${beat.ip}#${beat.port}#${beat.cluster || DEFAULT_CLUSTER}`);
      if (!inst) return { status: 200, body: { clientBeatInterval: 5000, code: 20404, lightBeatEnabled: true } };
      inst.lastBeat = Date.now();
      inst.healthy = true;
      return { status: 200, body: { clientBeatInterval: 5000, code: 10200, lightBeatEnabled: true } };
    }
    if (api === '/instance/list' && req.method === 'GET') {
      const serviceName = p.get('serviceName');
      if (!serviceName) return v2 ? { status: 400, body: { code: 10000, message: "Required parameter 'serviceName' type String is not present", data: null } } : { status: 400, body: 'caused: serviceName is required' };
      return { status: 200, body: wrap(serviceView(ns, grouped(serviceName, p.get('groupName') ?? undefined), p)) };
    }
    if (api === '/service/list' && req.method === 'GET') {
      const { count, names } = services(ns, p);
      return { status: 200, body: v2 ? wrap({ count, services: names }) : { count, doms: names } };
    }
    if (api === '/operator/metrics' && req.method === 'GET') {
      let count = 0;
      for (const svc of spaces.values()) for (const l of svc.values()) count += l.size;
      return { status: 200, body: { status: 'UP', serviceCount: [...spaces.values()].reduce((n, s) => n + s.size, 0), instanceCount: count } };
    }
    return { status: 404, body: `stand-in: no route ${req.method} ${path}` };
  });

  return {
    http,
    get url() {
      return http.url;
    },
    register(i) {
      put(i.namespace ?? 'public', `${i.group ?? DEFAULT_GROUP}@@${i.service}`, {
        ip: i.ip, port: i.port, clusterName: i.cluster ?? DEFAULT_CLUSTER, weight: 1,
        healthy: i.healthy ?? true, enabled: i.enabled ?? true, ephemeral: i.ephemeral ?? false, metadata: i.metadata ?? {},
      });
    },
    deregister(service, ip, port, opts = {}) {
      space(opts.namespace ?? 'public').get(`${opts.group ?? DEFAULT_GROUP}@@${service}`)?.delete(`${ip}#${port}#${opts.cluster ?? DEFAULT_CLUSTER}`);
    },
    registerMany(list) {
      for (const i of list) put('public', `${DEFAULT_GROUP}@@${i.service}`, { ip: i.ip, port: i.port, clusterName: DEFAULT_CLUSTER, weight: 1, healthy: true, enabled: true, ephemeral: false, metadata: {} });
    },
    instances(service, opts = {}) {
      expire();
      return [...(space(opts.namespace ?? 'public').get(`${opts.group ?? DEFAULT_GROUP}@@${service}`)?.values() ?? [])];
    },
    close: () => http.close(),
  };
}

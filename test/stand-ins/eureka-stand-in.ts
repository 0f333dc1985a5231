/**
 * A STAND-IN for a Eureka server's REST API (no Eureka server runs on these
 * machines; see /work/shared/reference/environment.md), in the JSON form
 * Eureka 1.x serves with `Accept: application/json`, proven by
 * test/stand-ins/eureka-stand-in.test.ts which drives it with the
 * `eureka-js-client` npm client:
 *
 * - `POST <prefix>/apps/<APP>` registers (`{"instance": {…}}`, 204);
 *   `PUT <prefix>/apps/<APP>/<id>` renews the lease (404 when unknown, so
 *   the client registers again); `DELETE <prefix>/apps/<APP>/<id>` cancels;
 *   `PUT …/<id>/status?value=OUT_OF_SERVICE` and `DELETE …/<id>/status`
 *   override and restore the status;
 * - `GET <prefix>/apps` (the full registry), `GET <prefix>/apps/delta`
 *   (instances changed within the retention window, each with its
 *   `actionType` ADDED, MODIFIED or DELETED) and `GET <prefix>/apps/<APP>`;
 *   both registry answers carry `apps__hashcode`, Eureka's reconcile hash
 *   of the whole registry (`<STATUS>_<count>_` per status in order, e.g.
 *   `DOWN_1_UP_3_`), which a client compares with its own after applying a
 *   delta, fetching the full registry when they differ;
 * - apps and instances as JSON arrays (Eureka's Jackson codec), `port` as
 *   `{"$": 8080, "@enabled": "true"}`, metadata as a map, `leaseInfo`.
 *
 * Simplifications: leases expire lazily (an instance whose last renewal is
 * older than its `durationInSecs` is evicted at the next read, recorded as
 * DELETED); no response cache (answers are always current), no peer
 * replication, no self-preservation, no XML.
 */
import { createHttpStandIn, type HttpStandIn } from './http-stand-in.js';

type Instance = Record<string, any>;

export interface EurekaStandInOptions {
  /** Path prefix of the API; default `/eureka`. */
  readonly prefix?: string;
  /** How long changes stay in the delta; default 180 s (Eureka's retentionTimeInMSInDeltaQueue). */
  readonly deltaRetentionMs?: number;
}

export interface EurekaStandIn {
  readonly http: HttpStandIn;
  /** The service URL clients are given, e.g. `http://127.0.0.1:1234/eureka`. */
  readonly url: string;
  register(app: string, instance: { instanceId: string; ipAddr: string; port: number; status?: string; vipAddress?: string; metadata?: Record<string, string>; durationInSecs?: number }): void;
  cancel(app: string, instanceId: string): void;
  setStatus(app: string, instanceId: string, status: string): void;
  /** Registers many instances at once (benchmarks). */
  registerMany(list: readonly { app: string; instanceId: string; ipAddr: string; port: number }[]): void;
  /** Forgets the delta queue (a client polling after that must notice through the hash). */
  dropDeltas(): void;
  /** Instances by app, for assertions. */
  instances(app: string): Instance[];
  close(): Promise<void>;
}

export function reconcileHash(apps: Iterable<Iterable<Instance>>): string {
  const counts = new Map<string, number>();
  for (const app of apps) for (const i of app) counts.set(String(i.status), (counts.get(String(i.status)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${s}_${n}_`).join('');
}

export async function createEurekaStandIn(options: EurekaStandInOptions = {}): Promise<EurekaStandIn> {
  const prefix = options.prefix ?? '/eureka';
  const retention = options.deltaRetentionMs ?? 180_000;
  const apps = new Map<string, Map<string, Instance>>();
  let recent: { at: number; app: string; instance: Instance }[] = [];
  let version = 1;

  const record = (app: string, instance: Instance, actionType: 'ADDED' | 'MODIFIED' | 'DELETED') => {
    const now = Date.now();
    instance.actionType = actionType;
    instance.lastUpdatedTimestamp = String(now);
    recent.push({ at: now, app, instance: structuredClone(instance) });
    version++;
  };

  function put(appName: string, body: Instance): Instance {
    const app = appName.toUpperCase();
    const id = String(body.instanceId ?? body.hostName ?? '');
    const now = Date.now();
    const prev = apps.get(app)?.get(id);
    const port = typeof body.port === 'object' ? body.port : { $: Number(body.port), '@enabled': 'true' };
    const instance: Instance = {
      ...body,
      instanceId: id,
      app,
      hostName: body.hostName ?? body.ipAddr,
      status: body.status ?? 'UP',
      overriddenStatus: prev?.overriddenStatus ?? 'UNKNOWN',
      port: { $: Number(port.$), '@enabled': String(port['@enabled'] ?? 'true') },
      securePort: body.securePort ?? { $: 443, '@enabled': 'false' },
      countryId: body.countryId ?? 1,
      dataCenterInfo: body.dataCenterInfo ?? { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: {
        renewalIntervalInSecs: body.leaseInfo?.renewalIntervalInSecs ?? 30,
        durationInSecs: body.leaseInfo?.durationInSecs ?? 90,
        registrationTimestamp: prev?.leaseInfo?.registrationTimestamp ?? now,
        lastRenewalTimestamp: now,
        evictionTimestamp: 0,
        serviceUpTimestamp: prev?.leaseInfo?.serviceUpTimestamp ?? now,
      },
      metadata: body.metadata && Object.keys(body.metadata).length ? body.metadata : { '@class': 'java.util.Collections$EmptyMap' },
      vipAddress: body.vipAddress ?? appName.toLowerCase(),
      secureVipAddress: body.secureVipAddress ?? body.vipAddress ?? appName.toLowerCase(),
      isCoordinatingDiscoveryServer: 'false',
      lastDirtyTimestamp: String(now),
    };
    if (prev?.overriddenStatus && prev.overriddenStatus !== 'UNKNOWN') instance.status = prev.overriddenStatus;
    let list = apps.get(app);
    if (!list) apps.set(app, (list = new Map()));
    list.set(id, instance);
    record(app, instance, prev ? 'MODIFIED' : 'ADDED');
    return instance;
  }

  function remove(app: string, id: string): boolean {
    const list = apps.get(app);
    const inst = list?.get(id);
    if (!list || !inst) return false;
    list.delete(id);
    if (list.size === 0) apps.delete(app);
    record(app, inst, 'DELETED');
    return true;
  }

  function evict(): void {
    const now = Date.now();
    for (const [app, list] of [...apps]) {
      for (const [id, i] of [...list]) {
        if (i.leaseInfo.lastRenewalTimestamp + i.leaseInfo.durationInSecs * 1000 < now) remove(app, id);
      }
    }
    recent = recent.filter((r) => r.at >= now - retention);
  }

  const hash = () => reconcileHash([...apps.values()].map((l) => l.values()));
  const body = (list: { name: string; instance: Instance[] }[]) => ({ applications: { versions__delta: String(version), apps__hashcode: hash(), application: list } });

  const http = await createHttpStandIn((req) => {
    const path = req.url.pathname.replace(/\/+$/, '');
    if (!path.startsWith(`${prefix}/apps`)) return { status: 404, body: 'stand-in: not a Eureka path' };
    const parts = path.slice(prefix.length + '/apps'.length).split('/').filter(Boolean).map(decodeURIComponent);
    const json = () => (req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, any>) : {});
    evict();
    if (req.method === 'GET' && parts.length === 0) {
      return { status: 200, body: body([...apps].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, l]) => ({ name, instance: [...l.values()].map((i) => ({ ...i, actionType: 'ADDED' })) }))) };
    }
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'delta') {
      const latest = new Map<string, { app: string; instance: Instance }>();
      for (const r of recent) latest.set(`${r.app}/${r.instance.instanceId}`, r);
      const byApp = new Map<string, Instance[]>();
      for (const r of latest.values()) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r.instance]);
      return { status: 200, body: body([...byApp].map(([name, instance]) => ({ name, instance }))) };
    }
    const app = (parts[0] ?? '').toUpperCase();
    if (parts.length === 1) {
      if (req.method === 'POST') {
        const b = json();
        if (!b.instance) return { status: 400, body: 'stand-in: body must be {"instance": {...}}' };
        put(app, b.instance);
        return { status: 204 };
      }
      if (req.method === 'GET') {
        const list = apps.get(app);
        return list ? { status: 200, body: { application: { name: app, instance: [...list.values()] } } } : { status: 404, body: '' };
      }
    }
    const id = parts[1] ?? '';
    const inst = apps.get(app)?.get(id);
    if (parts.length === 2) {
      if (req.method === 'PUT') {
        if (!inst) return { status: 404, body: '' };
        inst.leaseInfo.lastRenewalTimestamp = Date.now();
        return { status: 200, body: '' };
      }
      if (req.method === 'DELETE') return { status: remove(app, id) ? 200 : 404, body: '' };
      if (req.method === 'GET') return inst ? { status: 200, body: { instance: inst } } : { status: 404, body: '' };
    }
    if (parts.length === 3 && parts[2] === 'status' && inst) {
      if (req.method === 'PUT') {
        const value = req.url.searchParams.get('value') ?? 'UNKNOWN';
        inst.overriddenStatus = value;
        inst.status = value;
      } else if (req.method === 'DELETE') {
        inst.overriddenStatus = 'UNKNOWN';
        inst.status = req.url.searchParams.get('value') ?? 'UP';
      } else return { status: 405, body: '' };
      record(app, inst, 'MODIFIED');
      return { status: 200, body: '' };
    }
    return { status: 404, body: `stand-in: no route ${req.method} ${path}` };
  });

  return {
    http,
    get url() {
      return `${http.url}${prefix}`;
    },
    register(app, i) {
      put(app, {
        instanceId: i.instanceId,
        ipAddr: i.ipAddr,
        hostName: i.ipAddr,
        port: { $: i.port, '@enabled': 'true' },
        status: i.status ?? 'UP',
        ...(i.vipAddress ? { vipAddress: i.vipAddress } : {}),
        ...(i.metadata ? { metadata: i.metadata } : {}),
        ...(i.durationInSecs ? { leaseInfo: { durationInSecs: i.durationInSecs } } : {}),
      });
    },
    cancel(app, id) {
      remove(app.toUpperCase(), id);
    },
    setStatus(app, id, status) {
      const inst = apps.get(app.toUpperCase())?.get(id);
      if (!inst) throw new Error(`no instance ${app}/${id}`);
      inst.status = status;
      record(app.toUpperCase(), inst, 'MODIFIED');
    },
    registerMany(list) {
      for (const i of list) put(i.app, { instanceId: i.instanceId, ipAddr: i.ipAddr, hostName: i.ipAddr, port: { $: i.port, '@enabled': 'true' }, status: 'UP', leaseInfo: { durationInSecs: 86_400 } });
    },
    dropDeltas() {
      recent = [];
    },
    instances: (app) => [...(apps.get(app.toUpperCase())?.values() ?? [])],
    close: () => http.close(),
  };
}

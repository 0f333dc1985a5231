/**
 * Eureka's registry JSON, read leniently where Eureka versions differ
 * (XStream-era servers send a lone app or instance as an object rather
 * than a one-element array; an empty metadata map comes as
 * `{"@class": "java.util.Collections$EmptyMap"}`), strictly where the
 * answer would otherwise be misread (no `applications`: E8001).
 */
import { stringMap } from '../catalog/instance.js';
import { RegistryError } from '../catalog/registry-error.js';

export interface EurekaInstance {
  /** `APP/instanceId`: unique in the registry. */
  readonly key: string;
  readonly app: string;
  /** The VIP addresses (comma-separated in Eureka) it is reached by; the app name in lower case when it has none. */
  readonly vips: readonly string[];
  readonly status: string;
  readonly address: string;
  /** 0 when the plain port is disabled. */
  readonly port: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly actionType?: string;
}

export interface EurekaApplications {
  readonly hash: string;
  readonly instances: readonly EurekaInstance[];
}

const list = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function port(p: unknown): number {
  if (typeof p === 'number') return p;
  if (!p || typeof p !== 'object') return 0;
  const o = p as Record<string, unknown>;
  const enabled = o['@enabled'];
  if (enabled === false || enabled === 'false') return 0;
  return Number(o.$) || 0;
}

export function parseApplications(body: unknown, what: string): EurekaApplications {
  const apps = (body as { applications?: unknown } | null)?.applications;
  if (!apps || typeof apps !== 'object') throw new RegistryError('E8001', `${what}: no "applications" in the answer`);
  const a = apps as { apps__hashcode?: unknown; application?: unknown };
  const instances: EurekaInstance[] = [];
  for (const app of list(a.application as Record<string, unknown>[])) {
    if (!app || typeof app !== 'object') throw new RegistryError('E8001', `${what}: an application is not an object`);
    for (const raw of list(app.instance as Record<string, unknown>[])) {
      if (!raw || typeof raw !== 'object') throw new RegistryError('E8001', `${what}: an instance of ${String(app.name)} is not an object`);
      const appName = String(raw.app ?? app.name ?? '').toUpperCase();
      const id = String(raw.instanceId ?? raw.hostName ?? '');
      const vip = typeof raw.vipAddress === 'string' && raw.vipAddress.trim() !== '' ? raw.vipAddress : appName.toLowerCase();
      const metadata = stringMap(raw.metadata);
      delete metadata['@class'];
      instances.push({
        key: `${appName}/${id}`,
        app: appName,
        vips: vip.split(',').map((v) => v.trim()).filter(Boolean),
        status: String(raw.status ?? 'UNKNOWN'),
        address: String(raw.ipAddr ?? ''),
        port: port(raw.port),
        metadata,
        ...(typeof raw.actionType === 'string' ? { actionType: raw.actionType } : {}),
      });
    }
  }
  return { hash: typeof a.apps__hashcode === 'string' ? a.apps__hashcode : '', instances };
}

/** Eureka's reconcile hash (Applications.getReconcileHashCode): `<STATUS>_<count>_` per status, in order. */
export function reconcileHash(instances: Iterable<{ status: string }>): string {
  const counts = new Map<string, number>();
  for (const i of instances) counts.set(i.status, (counts.get(i.status) ?? 0) + 1);
  return [...counts].sort(([x], [y]) => (x < y ? -1 : 1)).map(([s, n]) => `${s}_${n}_`).join('');
}

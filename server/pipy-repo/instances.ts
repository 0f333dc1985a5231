import type { InstanceRecord } from './types.js';

interface MutableRecord {
  codebase: string;
  instanceId: string;
  address: string;
  version: string;
  name: string;
  reportedAt: number;
  linked: boolean;
  seenAt: number;
}

export interface InstanceRegistryOptions {
  /** Forget instances not seen (no report, no open link) for this long. */
  ttlMs: number;
  now?: () => number;
}

/**
 * Which Pipy instance runs which codebase version: fed by status reports and
 * admin-link WebSockets. Bounded by expiry: an instance that stops reporting
 * and has no open link is forgotten after `ttlMs`, so proxies that went away
 * do not accumulate.
 */
export interface InstanceRegistry {
  /** Records a status report; returns the updated record. */
  report(codebase: string, instanceId: string, fields: { address: string; version: string; name: string }): InstanceRecord;
  /** Marks an instance's WebSocket open or closed. */
  setLinked(codebase: string, instanceId: string, address: string, linked: boolean): void;
  /** Live records, most recently reported first. Expired records are dropped here. */
  list(): readonly InstanceRecord[];
}

export function createInstanceRegistry(opts: InstanceRegistryOptions): InstanceRegistry {
  const now = opts.now ?? Date.now;
  const records = new Map<string, MutableRecord>();
  const keyOf = (codebase: string, id: string) => `${codebase}\n${id}`;
  let lastPrune = now();

  const prune = () => {
    const t = now();
    lastPrune = t;
    const cutoff = t - opts.ttlMs;
    for (const [key, r] of records) if (!r.linked && r.seenAt < cutoff) records.delete(key);
  };

  const entry = (codebase: string, instanceId: string, address: string): MutableRecord => {
    const key = keyOf(codebase, instanceId);
    let r = records.get(key);
    if (!r) {
      r = { codebase, instanceId, address, version: '', name: '', reportedAt: 0, linked: false, seenAt: 0 };
      records.set(key, r);
    }
    r.address = address;
    r.seenAt = now();
    return r;
  };

  const snapshot = (r: MutableRecord): InstanceRecord => ({
    codebase: r.codebase,
    instanceId: r.instanceId,
    address: r.address,
    version: r.version,
    name: r.name,
    reportedAt: r.reportedAt,
    linked: r.linked,
  });

  return {
    report(codebase, instanceId, fields) {
      if (now() - lastPrune > opts.ttlMs) prune();
      const r = entry(codebase, instanceId, fields.address);
      r.version = fields.version;
      r.name = fields.name;
      r.reportedAt = r.seenAt;
      return snapshot(r);
    },
    setLinked(codebase, instanceId, address, linked) {
      entry(codebase, instanceId, address).linked = linked;
    },
    list() {
      prune();
      return [...records.values()].sort((a, b) => b.reportedAt - a.reportedAt || a.codebase.localeCompare(b.codebase)).map(snapshot);
    },
  };
}

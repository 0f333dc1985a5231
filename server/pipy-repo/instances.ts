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
  /** The version of the last metrics read in a chain that began with a full report; undefined when there is none. */
  metricsVersion: number | undefined;
}

export interface InstanceRegistryOptions {
  /** Forget instances not seen (no report, no open link) for this long. */
  ttlMs: number;
  /** Remember at most this many instances without an open link; the least recently seen is forgotten first. */
  maxInstances: number;
  now?: () => number;
}

/** The `metrics` block of a Pipy status report, as far as the repo reads it (see status-report.ts). */
export interface MetricsHeader {
  /** 0 for a full report; the sender's clock for an incremental one. */
  readonly version: number;
  /** An incremental report's predecessor (its `version`). */
  readonly last?: number;
}

export interface ReportOutcome {
  readonly record: InstanceRecord;
  /**
   * Whether the report's metrics continue a chain the registry followed from
   * a full report. Pipy (`main.cpp` StatusReporter) sends only changes next
   * when the answer is 206, and everything again after any other answer.
   */
  readonly metricsRead: boolean;
}

/**
 * Which Pipy instance runs which codebase version: fed by status reports and
 * admin-link WebSockets. Bounded twice: an instance that stops reporting and
 * has no open link is forgotten after `ttlMs`, and at most `maxInstances`
 * such instances are kept (instances with an open link are bounded by the
 * links' own cap). A record keeps a few short fields, never a report's body.
 */
export interface InstanceRegistry {
  /** Records a status report (`metrics` when it carried readable metrics). */
  report(codebase: string, instanceId: string, fields: { address: string; version: string; name: string }, metrics?: MetricsHeader): ReportOutcome;
  /** Marks an instance's WebSocket open or closed. */
  setLinked(codebase: string, instanceId: string, address: string, linked: boolean): void;
  /** Live records, most recently reported first. Expired records are dropped here. */
  list(): readonly InstanceRecord[];
  readonly size: number;
}

export function createInstanceRegistry(opts: InstanceRegistryOptions): InstanceRegistry {
  const now = opts.now ?? Date.now;
  // Unlinked records in the order they were last seen (a Map keeps insertion
  // order; touching one moves it to the end), so expiry and eviction both
  // take from the front. Linked records live apart and never expire.
  const idle = new Map<string, MutableRecord>();
  const linked = new Map<string, MutableRecord>();
  const keyOf = (codebase: string, id: string) => `${codebase}\n${id}`;
  let lastPrune = now();

  const prune = () => {
    const t = now();
    lastPrune = t;
    const cutoff = t - opts.ttlMs;
    for (const [key, r] of idle) {
      if (r.seenAt >= cutoff) break;
      idle.delete(key);
    }
  };

  /** The record of an instance, seen now: created if new, moved to the end of the idle order. */
  const touch = (codebase: string, instanceId: string, address: string): MutableRecord => {
    const key = keyOf(codebase, instanceId);
    let r = linked.get(key) ?? idle.get(key);
    if (!r) {
      r = { codebase, instanceId, address, version: '', name: '', reportedAt: 0, linked: false, seenAt: 0, metricsVersion: undefined };
      while (idle.size >= opts.maxInstances) {
        const oldest = idle.keys().next();
        if (oldest.done) break;
        idle.delete(oldest.value);
      }
    }
    if (!r.linked) {
      idle.delete(key);
      idle.set(key, r);
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

  /** Whether `metrics` continues the chain of `r`; updates the chain. */
  const follow = (r: MutableRecord, metrics: MetricsHeader | undefined): boolean => {
    const read = metrics !== undefined && (metrics.version === 0 || (r.metricsVersion !== undefined && metrics.last === r.metricsVersion));
    r.metricsVersion = read ? metrics.version : undefined;
    return read;
  };

  return {
    report(codebase, instanceId, fields, metrics) {
      if (now() - lastPrune > opts.ttlMs) prune();
      const r = touch(codebase, instanceId, fields.address);
      r.version = fields.version;
      r.name = fields.name;
      r.reportedAt = r.seenAt;
      const metricsRead = follow(r, metrics);
      return { record: snapshot(r), metricsRead };
    },
    setLinked(codebase, instanceId, address, isLinked) {
      const key = keyOf(codebase, instanceId);
      const r = touch(codebase, instanceId, address);
      r.linked = isLinked;
      if (isLinked) {
        idle.delete(key);
        linked.set(key, r);
      } else {
        linked.delete(key);
        idle.set(key, r);
      }
    },
    list() {
      prune();
      return [...linked.values(), ...idle.values()].sort((a, b) => b.reportedAt - a.reportedAt || a.codebase.localeCompare(b.codebase)).map(snapshot);
    },
    get size() {
      return idle.size + linked.size;
    },
  };
}

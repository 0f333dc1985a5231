/**
 * Node.js runtime metrics under the names prom-client's default metrics use
 * (`process_*`, `nodejs_*`), so the usual Node.js dashboards read them:
 * CPU, memory and descriptors of the process, V8 heap and heap spaces,
 * event-loop delay (perf_hooks' monitorEventLoopDelay), garbage-collection
 * pauses (a PerformanceObserver for `gc` entries), active libuv resources.
 *
 * The event-loop delay gauges summarise the delays sampled since the previous
 * scrape (the sampler is reset after each), as prom-client's do: with two
 * scrapers each sees part of the samples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { GaugeReading, Registry } from './prometheus-registry.js';

/** prom-client's GC buckets (seconds). */
const GC_BUCKETS_SECONDS: readonly number[] = [0.001, 0.01, 0.1, 1, 2, 5];
const GC_KINDS: ReadonlyMap<number, string> = new Map([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);
/** Event-loop delay sampling resolution (ms). */
const ELD_RESOLUTION_MS = 10;

export interface RuntimeMetrics {
  /** Starts sampling the event loop and observing GC. Idempotent. */
  start(): void;
  /** Stops both. Idempotent. */
  close(): void;
}

/** Open descriptors (Linux: /proc/self/fd, less the one reading it); undefined where unknown. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

/** The soft limit on open descriptors (Linux: /proc/self/limits); undefined where unknown or unlimited. */
function maxFds(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const one = (v: number | undefined): Iterable<GaugeReading<never>> => (v === undefined ? [] : [[{}, v]]);

export function registerRuntimeMetrics(registry: Registry): RuntimeMetrics {
  const cpu = () => process.cpuUsage();
  registry.counterReader('process_cpu_user_seconds_total', 'User CPU time spent in seconds', () => cpu().user / 1e6);
  registry.counterReader('process_cpu_system_seconds_total', 'System CPU time spent in seconds', () => cpu().system / 1e6);
  registry.counterReader('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds', () => {
    const c = cpu();
    return (c.user + c.system) / 1e6;
  });
  const startTime = Math.round(performance.timeOrigin / 1000);
  registry.gaugeReader('process_start_time_seconds', 'Start time of the process since unix epoch in seconds', [], () => one(startTime));
  registry.gaugeReader('process_resident_memory_bytes', 'Resident memory size in bytes', [], () => one(process.memoryUsage.rss()));
  registry.gaugeReader('process_open_fds', 'Number of open file descriptors', [], () => one(openFds()));
  registry.gaugeReader('process_max_fds', 'Maximum number of open file descriptors', [], () => one(maxFds()));

  registry.gaugeReader('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes', [], () => one(process.memoryUsage().heapTotal));
  registry.gaugeReader('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes', [], () => one(process.memoryUsage().heapUsed));
  registry.gaugeReader('nodejs_external_memory_bytes', 'Node.js external memory size in bytes', [], () => one(process.memoryUsage().external));
  // V8 names spaces `new_space`, `old_space`, ...; prom-client drops the suffix.
  const spaces = (pick: (s: ReturnType<typeof getHeapSpaceStatistics>[number]) => number) => () =>
    getHeapSpaceStatistics().map((s): GaugeReading<'space'> => [{ space: s.space_name.replace(/_space$/, '') }, pick(s)]);
  registry.gaugeReader('nodejs_heap_space_size_total_bytes', 'Process heap space size total from Node.js in bytes', ['space'], spaces((s) => s.space_size));
  registry.gaugeReader('nodejs_heap_space_size_used_bytes', 'Process heap space size used from Node.js in bytes', ['space'], spaces((s) => s.space_used_size));
  registry.gaugeReader('nodejs_heap_space_size_available_bytes', 'Process heap space size available from Node.js in bytes', ['space'], spaces((s) => s.space_available_size));

  registry.gaugeReader('nodejs_active_resources', 'Active resources keeping the event loop alive, by type', ['type'], () => {
    const byType = new Map<string, number>();
    for (const t of process.getActiveResourcesInfo()) byType.set(t, (byType.get(t) ?? 0) + 1);
    return [...byType].map(([type, n]): GaugeReading<'type'> => [{ type }, n]);
  });
  registry.gaugeReader('nodejs_active_resources_total', 'Total number of active resources', [], () => one(process.getActiveResourcesInfo().length));

  const [major = '0', minor = '0', patch = '0'] = process.versions.node.split('.');
  registry.gaugeReader('nodejs_version_info', 'Node.js version info', ['version', 'major', 'minor', 'patch'], () => [[{ version: process.version, major, minor, patch }, 1]]);

  const eld: IntervalHistogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  // Read in one pass per scrape (min first, reset after the last), nanoseconds to seconds.
  let snapshot: Record<string, number> | undefined;
  const lag = (stat: string, help: string, last = false) =>
    registry.gaugeReader(`nodejs_eventloop_lag_${stat}_seconds`, help, [], () => {
      snapshot ??= eld.count
        ? { min: eld.min, max: eld.max, mean: eld.mean, stddev: eld.stddev, p50: eld.percentile(50), p90: eld.percentile(90), p99: eld.percentile(99) }
        : { min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 };
      const v = (snapshot[stat] ?? 0) / 1e9;
      if (last) {
        snapshot = undefined;
        eld.reset();
      }
      return one(v);
    });
  lag('min', 'The minimum recorded event loop delay');
  lag('max', 'The maximum recorded event loop delay');
  lag('mean', 'The mean of the recorded event loop delays');
  lag('stddev', 'The standard deviation of the recorded event loop delays');
  lag('p50', 'The 50th percentile of the recorded event loop delays');
  lag('p90', 'The 90th percentile of the recorded event loop delays');
  lag('p99', 'The 99th percentile of the recorded event loop delays', true);

  const gc = registry.histogram('nodejs_gc_duration_seconds', 'Garbage collection duration by kind, one of major, minor, incremental or weakcb', GC_BUCKETS_SECONDS, ['kind']);
  for (const kind of GC_KINDS.values()) gc.init({ kind });
  let observer: PerformanceObserver | undefined;

  return {
    start() {
      if (observer) return;
      eld.enable();
      observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const kind = GC_KINDS.get((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1);
          if (kind) gc.record(e.duration / 1000, { kind });
        }
      });
      observer.observe({ entryTypes: ['gc'] });
    },
    close() {
      eld.disable();
      observer?.disconnect();
      observer = undefined;
    },
  };
}

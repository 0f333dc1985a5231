import { readdirSync } from 'node:fs';
import t from 'tap';
import { createRegistry } from '../../src/observability/prometheus-registry.js';
import { registerRuntimeMetrics } from '../../src/observability/runtime-metrics.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';
import { waitFor } from '../support/wait-for.js';

// Node.js runtime metrics under prom-client's names, read from the real process.

t.test('process and heap metrics read the running process', async (t) => {
  const r = createRegistry();
  const runtime = registerRuntimeMetrics(r);
  t.teardown(() => runtime.close());
  const f = parsePrometheusText(r.expose());
  const v = (name: string, labels: Record<string, string> = {}) => sampleValue(f, name, labels);
  t.ok((v('process_cpu_seconds_total') ?? 0) > 0, 'CPU time spent');
  t.equal(f.get('process_cpu_user_seconds_total')?.type, 'counter');
  t.ok(Math.abs((v('process_start_time_seconds') ?? 0) - (Date.now() / 1000 - process.uptime())) < 5, 'start time is when the process started');
  t.ok((v('process_resident_memory_bytes') ?? 0) > 10e6, 'RSS');
  t.ok((v('nodejs_heap_size_used_bytes') ?? 0) > 0 && (v('nodejs_heap_size_used_bytes') ?? 0) <= (v('nodejs_heap_size_total_bytes') ?? 0), 'heap used ≤ total');
  t.ok((v('nodejs_heap_space_size_used_bytes', { space: 'old' }) ?? 0) > 0, 'heap spaces named without _space, as prom-client');
  t.ok(v('nodejs_external_memory_bytes') !== undefined);
  t.equal(v('nodejs_version_info', { version: process.version }), 1);
  t.ok((v('nodejs_active_resources_total') ?? 0) >= 0);
  const fds = readdirSync('/proc/self/fd').length;
  const open = v('process_open_fds') ?? 0;
  t.ok(open > 0 && Math.abs(open - fds) <= 3, `open descriptors (${open}, ${fds} listed here)`);
  t.ok((v('process_max_fds') ?? 0) >= open, 'the descriptor limit');
  for (const kind of ['major', 'minor', 'incremental', 'weakcb']) t.equal(v('nodejs_gc_duration_seconds_count', { kind }), 0, `GC ${kind} present at 0 before start`);
  t.equal(v('nodejs_eventloop_lag_p99_seconds'), 0, 'no delay sampled before start');
});

t.test('after start: event-loop delay is sampled and reset by each scrape; GC pauses are observed', async (t) => {
  const r = createRegistry();
  const runtime = registerRuntimeMetrics(r);
  t.teardown(() => runtime.close());
  runtime.start();
  runtime.start();
  // Block the loop for ~60 ms once, then let the sampler run.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const until = Date.now() + 60;
  while (Date.now() < until);
  await new Promise((resolve) => setTimeout(resolve, 30));
  const f = parsePrometheusText(r.expose());
  const max = sampleValue(f, 'nodejs_eventloop_lag_max_seconds') ?? 0;
  t.ok(max >= 0.04, `the blocked loop shows in the max delay (${max} s)`);
  t.ok((sampleValue(f, 'nodejs_eventloop_lag_p50_seconds') ?? 0) <= max);
  t.ok((sampleValue(f, 'nodejs_eventloop_lag_min_seconds') ?? 0) <= (sampleValue(f, 'nodejs_eventloop_lag_mean_seconds') ?? 0));
  const after = sampleValue(parsePrometheusText(r.expose()), 'nodejs_eventloop_lag_max_seconds') ?? 0;
  t.ok(after < max, `the scrape reset the sampler (${after} s)`);

  // Allocate until the collector runs; its pauses land in the histogram.
  let garbage: unknown[] = [];
  await waitFor(
    'a GC pause observed',
    async () => {
      for (let i = 0; i < 2000; i++) garbage.push({ i, s: 'x'.repeat(100) });
      garbage = [];
      await new Promise((resolve) => setImmediate(resolve));
      const g = parsePrometheusText(r.expose());
      return ['major', 'minor', 'incremental', 'weakcb'].some((kind) => (sampleValue(g, 'nodejs_gc_duration_seconds_count', { kind }) ?? 0) > 0);
    },
    30_000,
  );
  runtime.close();
  runtime.close();
  t.pass('close is idempotent');
});

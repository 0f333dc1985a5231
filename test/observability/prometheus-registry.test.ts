import t from 'tap';
import { createRegistry } from '../../src/observability/prometheus-registry.js';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

t.test('counters, gauges and histograms in the text format, as the Go client writes them', async (t) => {
  const r = createRegistry();
  const plain = r.counter('demo_events_count', 'Events seen');
  const labelled = r.counter('demo_requests_count', 'Requests by path', ['path', 'code']);
  const gauge = r.gauge('demo_queue_depth', 'Queue depth');
  const hist = r.histogram('demo_duration', 'Durations', [0.1, 1, 10], ['op']);
  plain.add(2);
  plain.add(0.5);
  labelled.add(1, { path: '/a', code: '200' });
  labelled.add(1, { path: '/a', code: '200' });
  labelled.add(1, { path: 'quote"back\\slash\nnewline' });
  gauge.set(7);
  gauge.add(-3);
  for (const v of [0.05, 0.1, 0.5, 20]) hist.record(v, { op: 'x' });

  const text = r.expose();
  t.match(text, /^# HELP demo_events_count Events seen\n# TYPE demo_events_count counter\ndemo_events_count 2\.5\n/, 'no _total appended to a counter');
  const f = parsePrometheusText(text);
  t.equal(sampleValue(f, 'demo_requests_count', { path: '/a', code: '200' }), 2);
  t.equal(sampleValue(f, 'demo_requests_count', { path: 'quote"back\\slash\nnewline', code: '' }), 1, 'label values escaped and read back; a missing one is ""');
  t.equal(sampleValue(f, 'demo_queue_depth'), 4);
  t.equal(sampleValue(f, 'demo_duration_bucket', { op: 'x', le: '0.1' }), 2, 'le is inclusive');
  t.equal(sampleValue(f, 'demo_duration_bucket', { op: 'x', le: '1' }), 3, 'buckets accumulate');
  t.equal(sampleValue(f, 'demo_duration_bucket', { op: 'x', le: '10' }), 3);
  t.equal(sampleValue(f, 'demo_duration_bucket', { op: 'x', le: '+Inf' }), 4);
  t.equal(sampleValue(f, 'demo_duration_count', { op: 'x' }), 4);
  t.equal(sampleValue(f, 'demo_duration_sum', { op: 'x' }), 20.65);
  t.same(f.get('demo_duration')?.type, 'histogram');
});

t.test('unlabelled families exist at 0 from creation; labelled ones once given a label set; init and remove', async (t) => {
  const r = createRegistry();
  r.counter('demo_plain_count', 'x');
  r.histogram('demo_plain_time', 'x', [1]);
  const byProxy = r.counter('demo_sent_count', 'x', ['proxy_uuid', 'type']);
  let f = parsePrometheusText(r.expose());
  t.equal(sampleValue(f, 'demo_plain_count'), 0);
  t.equal(sampleValue(f, 'demo_plain_time_count'), 0);
  t.notOk(f.has('demo_sent_count'), 'a labelled family with no series is absent');

  byProxy.init({ proxy_uuid: 'a', type: 'reload' });
  byProxy.add(3, { proxy_uuid: 'a', type: 'codebase' });
  byProxy.add(1, { proxy_uuid: 'b', type: 'reload' });
  f = parsePrometheusText(r.expose());
  t.equal(sampleValue(f, 'demo_sent_count', { proxy_uuid: 'a', type: 'reload' }), 0, 'init creates the series at 0');
  byProxy.init({ proxy_uuid: 'a', type: 'codebase' });
  t.equal(sampleValue(parsePrometheusText(r.expose()), 'demo_sent_count', { proxy_uuid: 'a', type: 'codebase' }), 3, 'init keeps an existing value');

  byProxy.remove({ proxy_uuid: 'a' });
  f = parsePrometheusText(r.expose());
  t.equal(sampleValue(f, 'demo_sent_count', { proxy_uuid: 'a' }), undefined, 'every series of the proxy removed');
  t.equal(sampleValue(f, 'demo_sent_count', { proxy_uuid: 'b' }), 1, 'the others stay');
  byProxy.remove({ proxy_uuid: 'b', type: 'reload' });
  t.notOk(parsePrometheusText(r.expose()).has('demo_sent_count'), 'no series left: the family is absent');
});

t.test('recording never throws; bad increments and observations are ignored', async (t) => {
  const r = createRegistry();
  const c = r.counter('demo_c', 'x');
  const h = r.histogram('demo_h', 'x', [1]);
  c.add(-1);
  c.add(NaN);
  c.add(Infinity);
  h.record(NaN);
  h.record(Infinity);
  const f = parsePrometheusText(r.expose());
  t.equal(sampleValue(f, 'demo_c'), 0);
  t.equal(sampleValue(f, 'demo_h_count'), 0);
});

t.test('readers are read at each scrape; an empty reading leaves the family out', async (t) => {
  const r = createRegistry();
  let value: number | undefined = 1;
  r.gaugeReader('demo_reading', 'x', ['k'], () => (value === undefined ? [] : [[{ k: 'v' }, value]]));
  r.counterReader('demo_seconds_total', 'x', () => value);
  t.equal(sampleValue(parsePrometheusText(r.expose()), 'demo_reading', { k: 'v' }), 1);
  value = 2;
  t.equal(sampleValue(parsePrometheusText(r.expose()), 'demo_seconds_total'), 2);
  value = undefined;
  t.equal(r.expose(), '');
});

t.test('registration refuses what Prometheus would refuse', async (t) => {
  const r = createRegistry();
  r.counter('demo_once', 'x');
  t.throws(() => r.counter('demo_once', 'x'), /registered twice/);
  t.throws(() => r.gauge('0bad', 'x'), /invalid metric name/);
  t.throws(() => r.gauge('demo_g', 'x', ['bad-label']), /invalid label name/);
  t.throws(() => r.gauge('demo_g2', 'x', ['__reserved']), /invalid label name/);
  t.throws(() => r.histogram('demo_h', 'x', [1, 1]), /ascend/);
  t.throws(() => r.histogram('demo_h2', 'x', [1], ['le']), /reserved/);
});

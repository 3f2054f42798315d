import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry } from './metrics.js';

test('renders counters, gauges and histograms in the Prometheus text format', () => {
  const r = new MetricsRegistry();
  const c = r.counter('x_total', 'Things.\nMore', ['kind']);
  const g = r.gauge('up', 'Up.');
  const h = r.histogram('d_seconds', 'Durations.', ['m'], [0.1, 1]);
  c.inc({ kind: 'a"b\\c\nd' });
  c.inc({ kind: 'a"b\\c\nd' }, 2);
  g.inc();
  h.observe({ m: 'Ping' }, 0.05);
  h.observe({ m: 'Ping' }, 0.5);
  h.observe({ m: 'Ping' }, 3);
  assert.equal(
    r.render(),
    [
      '# HELP x_total Things.\\nMore',
      '# TYPE x_total counter',
      'x_total{kind="a\\"b\\\\c\\nd"} 3',
      '# HELP up Up.',
      '# TYPE up gauge',
      'up 1',
      '# HELP d_seconds Durations.',
      '# TYPE d_seconds histogram',
      'd_seconds_bucket{m="Ping",le="0.1"} 1',
      'd_seconds_bucket{m="Ping",le="1"} 2',
      'd_seconds_bucket{m="Ping",le="+Inf"} 3',
      'd_seconds_sum{m="Ping"} 3.55',
      'd_seconds_count{m="Ping"} 3',
      '',
    ].join('\n'),
  );
});

test('misuse is refused', () => {
  const r = new MetricsRegistry();
  const c = r.counter('a_total', 'A.', ['x']);
  assert.throws(() => c.inc({ y: '1' }), /unknown label y/);
  assert.throws(() => c.inc({}, -1), /only go up/);
  assert.throws(() => r.counter('a_total', 'again'), /already registered/);
  assert.throws(() => r.gauge('bad-name', 'B.'), /bad metric name/);
  assert.throws(() => r.histogram('h', 'H.', [], [1, 1]), /increase/);
});

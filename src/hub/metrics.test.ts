import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { ByteBudget } from '../runtime/budget.js';
import { hubMetrics, observations, PROMETHEUS_CONTENT_TYPE, sampleValue } from './metrics.js';

const HUB_SERIES = [
  'fluxrpc_hub_request_duration_seconds',
  'fluxrpc_hub_connected_daemons',
  'fluxrpc_hub_connection_duration_seconds',
  'fluxrpc_hub_connections_total',
  'fluxrpc_hub_kicks_total',
  'fluxrpc_hub_fatal_disconnects_total',
  'fluxrpc_hub_rejected_registrations_total',
  'fluxrpc_hub_events_total',
  'fluxrpc_hub_buffered_bytes',
  'fluxrpc_hub_buffered_bytes_limit',
  'fluxrpc_hub_buffered_bytes_peak',
  'fluxrpc_hub_budget_refusals_total',
  'fluxrpc_hub_refused_requests_total',
  'fluxrpc_hub_log_lines_suppressed_total',
  'fluxrpc_hub_token_reloads_total',
  'fluxrpc_hub_tokens',
];

test('the exposition has every hub series with its labels, and the process series with event-loop lag', async () => {
  const budget = new ByteBudget(1000);
  const m = hubMetrics({ budget });
  m.requestDuration.observe({ method: 'ListServices', outcome: 'ok' }, 0.02);
  m.connections.inc({ protocol: '11' });
  m.fatalDisconnects.inc({ reason: 'timeout' });
  m.rejectedRegistrations.inc({ status: '401' });
  budget.charge(300);
  budget.release(100);
  const text = await m.render();
  for (const name of HUB_SERIES) assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'), name);
  assert.match(text, /^fluxrpc_hub_request_duration_seconds_bucket\{le="0.025",method="ListServices",outcome="ok"\} 1$/m);
  assert.match(text, /^fluxrpc_hub_connections_total\{protocol="11"\} 1$/m);
  assert.match(text, /^fluxrpc_hub_fatal_disconnects_total\{reason="timeout"\} 1$/m);
  assert.match(text, /^fluxrpc_hub_buffered_bytes 200$/m);
  assert.match(text, /^fluxrpc_hub_buffered_bytes_limit 1000$/m);
  assert.match(text, /^fluxrpc_hub_buffered_bytes_peak 300$/m);
  for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.doesNotMatch(text, /instance=/, 'no series is labelled by instance');
  assert.equal(PROMETHEUS_CONTENT_TYPE, 'text/plain; version=0.0.4; charset=utf-8');
  assert.doesNotMatch(await hubMetrics({ processMetrics: false }).render(), /^# TYPE process_/m);
});

test('each hub has its own registry: two in one process neither clash nor share counts, and the global registry stays empty', async () => {
  const a = hubMetrics();
  const b = hubMetrics();
  a.kicks.inc();
  a.kicks.inc();
  b.kicks.inc();
  a.requestDuration.observe({ method: 'Ping', outcome: 'ok' }, 0.001);
  assert.equal(await sampleValue(a.kicks), 2);
  assert.equal(await sampleValue(b.kicks), 1);
  assert.equal(await observations(a.requestDuration, { method: 'Ping', outcome: 'ok' }), 1);
  assert.equal(await observations(b.requestDuration, { method: 'Ping', outcome: 'ok' }), 0);
  assert.equal(await sampleValue(a.rejectedRegistrations, { status: '401' }), 0, 'a series not seen yet reads 0');
  assert.equal(globalRegistry.getMetricsAsArray().length, 0);
});

test('without a budget the budget gauges say: nothing held, no limit', async () => {
  const text = await hubMetrics({ processMetrics: false }).render();
  assert.match(text, /^fluxrpc_hub_buffered_bytes 0$/m);
  assert.match(text, /^fluxrpc_hub_buffered_bytes_limit \+Inf$/m);
});

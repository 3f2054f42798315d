#!/usr/bin/env node
// Prints the README's "Figures" tables from bench/results.json (after `npm run bench`), to paste
// over the tables there. A figure the file does not hold is printed as "—".
import { readFileSync } from 'node:fs';

const rows = JSON.parse(readFileSync(new URL('../bench/results.json', import.meta.url), 'utf8'));
const get = (name, stack, inflight) => rows.find((r) => r.name === name && r.stack === stack && (inflight === undefined || r.inflight === inflight));
const num = (v, digits) => (v === undefined ? '—' : v.toFixed(digits));
const val = (name, stack, digits, inflight, scale = 1) => num(get(name, stack, inflight) && get(name, stack, inflight).value / scale, digits);
const mib = (name, stack, digits = 0) => val(name, stack, digits, undefined, 1024 * 1024);
const ratio = (name, inflight) => {
  const ts = get(name, 'ts', inflight);
  const go = get(name, 'go', inflight);
  return ts && go ? `${(ts.value / go.value).toFixed(2)}×` : '—';
};
const table = (header, body) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const out = [];

const fleetN = get('fleet.rss', 'ts')?.connections ?? 10000;
out.push(`**Fleet** (${fleetN.toLocaleString('en')} daemons, our hub against a Go hub):`, '');
out.push(
  table(['figure', 'TypeScript', 'Go', 'TS / Go', 'target'], [
    ['time to register all, s', val('fleet.registerSeconds', 'ts', 2), val('fleet.registerSeconds', 'go', 2), ratio('fleet.registerSeconds'), '≤ 1×'],
    ['fan-out (one call per instance, 64 at a time), s', val('fleet.fanoutSeconds', 'ts', 2), val('fleet.fanoutSeconds', 'go', 2), ratio('fleet.fanoutSeconds'), '≤ 1×'],
    ['single call p50 / p99, ms', `${val('fleet.callP50', 'ts', 3)} / ${val('fleet.callP99', 'ts', 3)}`, `${val('fleet.callP50', 'go', 3)} / ${val('fleet.callP99', 'go', 3)}`, ratio('fleet.callP50'), 'p50 ≤ 1×'],
    ['RSS with all connected, MiB', mib('fleet.rss', 'ts', 1), mib('fleet.rss', 'go', 1), ratio('fleet.rss'), '≤ 0.5×'],
    ['bytes per connection, KiB', val('fleet.bytesPerConnection', 'ts', 1, undefined, 1024), val('fleet.bytesPerConnection', 'go', 1, undefined, 1024), ratio('fleet.bytesPerConnection'), ''],
    ['idle CPU, % of a core', val('fleet.idleCpu', 'ts', 2), val('fleet.idleCpu', 'go', 2), ratio('fleet.idleCpu'), '≤ 1×'],
  ]),
  '',
);
out.push('**ping@1** (`Test.Echo("ping")`, one call at a time):', '');
out.push(table(['figure', 'TypeScript', 'Go', 'TS / Go', 'target'], [['p50 / p99, ms', `${val('ping.p50', 'ts', 3)} / ${val('ping.p99', 'ts', 3)}`, `${val('ping.p50', 'go', 3)} / ${val('ping.p99', 'go', 3)}`, ratio('ping.p50'), 'p50 ≤ 1×']]), '');
out.push('**Calls** (50 workload statuses per reply, ≈240 KB; RPC layer, and ListServices through the Flux API):', '');
out.push(
  table(['figure', 'TypeScript', 'Go', 'TS / Go', 'target'], [
    ['statuses calls/s at 1 / 16 / 64 in flight', [1, 16, 64].map((n) => val('statuses50.callsPerSec', 'ts', 0, n)).join(' / '), [1, 16, 64].map((n) => val('statuses50.callsPerSec', 'go', 0, n)).join(' / '), ratio('statuses50.callsPerSec', 64), '≥ 1.5× at 64'],
    ['statuses p99 at 64, ms', val('statuses50.p99', 'ts', 0, 64), val('statuses50.p99', 'go', 0, 64), ratio('statuses50.p99', 64), '≤ 1×'],
    ['ListServices calls/s at 1 / 16 / 64 in flight', [1, 16, 64].map((n) => val('listServices50.callsPerSec', 'ts', 0, n)).join(' / '), [1, 16, 64].map((n) => val('listServices50.callsPerSec', 'go', 0, n)).join(' / '), ratio('listServices50.callsPerSec', 64), '≥ 1.5× at 64'],
    ['ListServices p99 at 64, ms', val('listServices50.p99', 'ts', 0, 64), val('listServices50.p99', 'go', 0, 64), ratio('listServices50.p99', 64), '≤ 1×'],
  ]),
  '',
);
out.push('**stall60MB** (one daemon pinged every 2 ms while another\'s 60 MB reply is delivered to the same upstream; TS only):', '');
out.push(
  table(['figure', 'value', 'target'], [
    ['pings during the reply, p50 / p99, ms', `${val('stall60MB.duringP50', 'ts', 1)} / ${val('stall60MB.duringP99', 'ts', 1)}`, 'p99 ≤ 50 ms'],
    ['pings alone, p99, ms', val('stall60MB.idleP99', 'ts', 1), ''],
    ['longest event-loop turn, ms', val('stall60MB.loopDelayMax', 'ts', 0), ''],
    ['upstream peak RSS, MiB', mib('stall60MB.upstreamPeakRss', 'ts'), ''],
  ]),
  '',
);
if (!get('stall60MB.duringP99', 'ts')) out.push('(bench/results.json has no stall60MB rows yet; the last figures, from before our own websocket, are in docs/benchmarks.md §3.4.)', '');
out.push('**blob32MiB** (a 32 MiB string result, one call at a time):', '');
out.push(
  table(['figure', 'TypeScript', 'Go', 'TS / Go', 'target'], [
    ['s/call', val('blob32MiB.secondsPerCall', 'ts', 3), val('blob32MiB.secondsPerCall', 'go', 3), ratio('blob32MiB.secondsPerCall'), '≤ 1×'],
    ['peak RSS, receiving (upstream), MiB', mib('blob32MiB.upstreamPeakRss', 'ts'), mib('blob32MiB.upstreamPeakRss', 'go'), ratio('blob32MiB.upstreamPeakRss'), '< 128 MiB'],
    ['peak RSS, sending (daemon), MiB', mib('blob32MiB.daemonPeakRss', 'ts'), mib('blob32MiB.daemonPeakRss', 'go'), ratio('blob32MiB.daemonPeakRss'), '< 128 MiB'],
  ]),
  '',
);
out.push('**Cluster** (two replicas on NATS; "forwarded" goes through the replica that does not hold the daemon):', '');
const c = (name, digits, inflight) => val(name, 'ts', digits, inflight);
const cr = (a, b, inflight) => {
  const x = get(a, 'ts', inflight);
  const y = get(b, 'ts', inflight);
  return x && y ? `${(x.value / y.value).toFixed(2)}×` : '—';
};
out.push(
  table(['figure', 'local', 'forwarded', 'forwarded / local', 'target'], [
    ['ListServices(50) calls/s at 1 in flight (p50 ms)', `${c('cluster.listServices50.local.callsPerSec', 1, 1)} (${c('cluster.listServices50.local.p50', 2, 1)})`, `${c('cluster.listServices50.forwarded.callsPerSec', 1, 1)} (${c('cluster.listServices50.forwarded.p50', 2, 1)})`, cr('cluster.listServices50.forwarded.callsPerSec', 'cluster.listServices50.local.callsPerSec', 1), 'added p50 ≤ 2 ms'],
    ['ListServices(50) calls/s at 16 in flight', c('cluster.listServices50.local.callsPerSec', 1, 16), c('cluster.listServices50.forwarded.callsPerSec', 1, 16), cr('cluster.listServices50.forwarded.callsPerSec', 'cluster.listServices50.local.callsPerSec', 16), '≥ 0.7×'],
    ['Export 32 MiB, s/call', c('cluster.export32MiB.local.secondsPerCall', 3, 1), c('cluster.export32MiB.forwarded.secondsPerCall', 3, 1), cr('cluster.export32MiB.forwarded.secondsPerCall', 'cluster.export32MiB.local.secondsPerCall', 1), ''],
  ]),
);
console.log(out.join('\n'));

/**
 * The fleet benchmark's plumbing (bench/fleet.ts with Go's fleethub and fleetload), at 20 daemons
 * so it stays quick: every phase runs against both hubs, every RESULT line parses, the figures are
 * numbers that fit together, and a fleet the hub refuses fails the way the bench reports it. The
 * figures themselves are the bench's business (npm run bench), not checked here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLEET_PROGRAMS, FleetRunError, parsePhaseResult, runFleet, writeFleetTokens, type RegisterResult } from '../../bench/fleet.js';
import { Peer } from '../../bench/lib/children.js';
import { requirePeer } from './go-peer.js';

const N = 20;

for (const stack of ['ts', 'go'] as const) {
  test(`fleet bench, ${stack} hub, ${N} daemons: every phase runs, every RESULT parses, the figures fit together`, { timeout: 120_000 }, async (t) => {
    if (!requirePeer(t, 'fleetload') || !requirePeer(t, 'fleethub')) return;
    const f = await runFleet(stack, { n: N, concurrency: 4, dialConcurrency: 4, idleMs: 300, latencyCalls: 30, settleMs: 100 });
    assert.equal(f.stack, stack);
    assert.equal(f.n, N);
    assert.ok(f.dialSeconds > 0 && f.registerSeconds >= f.dialSeconds, `register ${f.registerSeconds} s, dials ${f.dialSeconds} s`);
    assert.ok(f.fanoutSeconds > 0 && f.fanoutCallsPerSec > 0);
    assert.ok(f.callP50ms > 0 && f.callP99ms >= f.callP50ms, `p50 ${f.callP50ms}, p99 ${f.callP99ms}`);
    assert.ok(f.idleSeconds >= 0.3 && f.idleCpuPercent >= 0 && f.registerCpuSeconds >= 0 && f.fanoutCpuSeconds >= 0);
    for (const rss of [f.rssBaseline, f.rssRegistered, f.rss, f.rssAfterCalls]) assert.ok(rss > 1 << 20 && rss <= f.peakRss, `rss ${rss}, peak ${f.peakRss}`);
    assert.equal(f.bytesPerConnection, (f.rss - f.rssBaseline) / N);
  });
}

test('fleetload against a hub that knows none of its tokens: registration reports every dial failed (401)', { timeout: 60_000 }, async (t) => {
  if (!requirePeer(t, 'fleetload') || !requirePeer(t, 'fleethub')) return;
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-fleet-test-'));
  writeFleetTokens(join(dir, 'hub.json'), 3);
  writeFleetTokens(join(dir, 'load.json'), 5);
  const hub = new Peer('fleethub', FLEET_PROGRAMS.goHub, ['--listen', '127.0.0.1:0', '--tokens', join(dir, 'hub.json')], 30_000);
  let load: Peer | undefined;
  try {
    const listen = await hub.waitFor('LISTEN', 10_000);
    load = new Peer('fleetload', FLEET_PROGRAMS.load, ['--url', `http://${listen}`, '--tokens', join(dir, 'load.json')], 30_000, { stdin: true });
    const reg = parsePhaseResult<RegisterResult>('register', await load.waitFor('RESULT register', 20_000), { daemons: 'number', errors: 'number', probe: 'string' });
    assert.equal(reg.daemons, 5);
    assert.equal(reg.errors, 5);
    assert.match(reg.firstError ?? '', /http status code = 401/);
    assert.equal(reg.probe, '');
    load.send('quit');
    await load.stop(5_000);
  } finally {
    load?.kill('SIGKILL');
    hub.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parsePhaseResult: a missing or mistyped field, or text that is not JSON, is a FleetRunError naming it', () => {
  const fields = { seconds: 'number', probe: 'string' } as const;
  assert.deepEqual(parsePhaseResult('register', '{"seconds":1.5,"probe":"fleet-000001"}', fields), { seconds: 1.5, probe: 'fleet-000001' });
  assert.throws(() => parsePhaseResult('register', '{"probe":"x"}', fields), (e: Error) => e instanceof FleetRunError && /field seconds is undefined, want a number/.test(e.message));
  assert.throws(() => parsePhaseResult('register', '{"seconds":"1","probe":"x"}', fields), /field seconds is "1", want a number/);
  assert.throws(() => parsePhaseResult('fanout', 'nope', fields), /RESULT fanout: not JSON/);
});

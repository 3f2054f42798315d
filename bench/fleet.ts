/**
 * The fleet benchmark: one hub holding N daemons, our hub against a Go hub built from flux's own
 * pieces, each alone on the machine (run.ts runs one, stops it, then the other).
 *
 *   ts hub: node dist/src/cli/main.js hub --listen 127.0.0.1:0 --tokens FILE --log-level warn
 *   go hub: test/interop/go/bin/fleethub --listen 127.0.0.1:0 --tokens FILE
 *           (websocket.Upgrade, rpc.NewClientV11 per daemon in a map instance → client, flux's
 *           daemon HTTP handler over the token's instance's client)
 *   load:   test/interop/go/bin/fleetload --url http://HUB --tokens FILE … (the same for both):
 *           N daemons with flux's websocket.Dial + rpc.NewServer over a MockServer whose Version
 *           answers the daemon's instance name; calls GET /api/flux/v11/version with an
 *           instance's token and checks the answer is that instance's name.
 *
 * The run, and how each figure is measured (the hub's figures from /proc/<hub pid>):
 *   1. N random tokens for instances fleet-000000 … in a token file both hubs read.
 *   2. Start the hub; 2 s after it listens: RSS before any daemon (rssBaseline).
 *   3. fleetload dials the N daemons, 64 at a time (dialConcurrency), then calls the instance
 *      whose handshake completed last. registerSeconds: from its first dial to that answer;
 *      registerCpuSeconds: the hub's CPU time from fleetload's start to then. RSS: rssRegistered.
 *   4. 2 s later, the idle window (idleMs, default 60 s; the websocket heartbeats run: each side
 *      pings every 13.33 s): idleCpuPercent = the hub's CPU time (utime+stime) over the window /
 *      its length, in % of one core; at its end the RSS with N connected (rss) and
 *      bytesPerConnection = (rss − rssBaseline) / N.
 *   5. Fan-out: N HTTP calls, one per instance with its token, 64 at a time (concurrency) over
 *      keep-alive connections. fanoutSeconds: first request to last answer.
 *   6. Single calls: latencyCalls (default 2000) one at a time to instances picked at random:
 *      callP50ms, callP99ms. Then fleetload closes its HTTP connections; RSS: rssAfterCalls;
 *      peakRss: the hub's peak RSS over the whole run (VmHWM).
 *   7. Check: every daemon is still connected (none was dropped, e.g. by a missed heartbeat).
 * Any failed dial, any call answered wrongly or not at all, or a missing daemon fails the run
 * (FleetRunError): such a run gives no figures.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Peer } from './lib/children.js';
import { cpuSecondsOf, memoryOf, withOpenFiles, type Memory } from './lib/proc.js';
import { kib, mib, type ResultRow, type Results, type Stack } from './lib/report.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The programs a fleet run starts. */
export const FLEET_PROGRAMS = {
  tsHub: `${root}dist/src/cli/main.js`,
  goHub: `${root}test/interop/go/bin/fleethub`,
  load: `${root}test/interop/go/bin/fleetload`,
} as const;

/** Default time after the hub listens, and after registration, before memory or CPU is read. */
const SETTLE_MS = 2000;

export interface FleetOptions {
  /** Daemons (connections), default 10,000. */
  n: number;
  /** Fan-out requests at a time. */
  concurrency: number;
  /** Dials at a time. */
  dialConcurrency: number;
  /** The idle window, ms. */
  idleMs: number;
  /** Sequential single calls. */
  latencyCalls: number;
  /** Pause after the hub listens and after registration, before reading memory or CPU (default 2 s). */
  settleMs?: number;
  /** Extra node flags for our hub. */
  tsNodeArgs?: string[];
  /** Receives a line after each phase. */
  progress?: (line: string) => void;
}

export interface FleetFigures {
  stack: Stack;
  n: number;
  registerSeconds: number;
  /** From the first dial to the last handshake (registerSeconds without the probe call). */
  dialSeconds: number;
  registerCpuSeconds: number;
  idleSeconds: number;
  idleCpuPercent: number;
  rssBaseline: number;
  rssRegistered: number;
  /** RSS with N connected, at the end of the idle window. */
  rss: number;
  bytesPerConnection: number;
  fanoutSeconds: number;
  fanoutCallsPerSec: number;
  fanoutCpuSeconds: number;
  callP50ms: number;
  callP99ms: number;
  rssAfterCalls: number;
  peakRss: number;
}

/** A fleet run that went wrong (a failed dial or call, a lost daemon, a child that died). */
export class FleetRunError extends Error {
  override name = 'FleetRunError';
}

/** fleetload's `RESULT register` fields. */
export interface RegisterResult {
  daemons: number;
  dialConcurrency: number;
  seconds: number;
  dialSeconds: number;
  probe: string;
  errors: number;
  firstError: string | null;
}

/** fleetload's `RESULT fanout` and `RESULT latency` fields. */
export interface CallsResult {
  calls: number;
  concurrency: number;
  seconds: number;
  callsPerSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  firstError: string | null;
}

/** fleetload's `RESULT check` fields. */
export interface CheckResult {
  daemons: number;
  connected: number;
}

const REGISTER_FIELDS = { daemons: 'number', dialConcurrency: 'number', seconds: 'number', dialSeconds: 'number', probe: 'string', errors: 'number' } as const;
const CALLS_FIELDS = { calls: 'number', concurrency: 'number', seconds: 'number', callsPerSec: 'number', p50ms: 'number', p99ms: 'number', errors: 'number' } as const;
const CHECK_FIELDS = { daemons: 'number', connected: 'number' } as const;

/** Parses the JSON of a `RESULT <phase>` line, checking that each field is there with its type. */
export function parsePhaseResult<T>(phase: string, text: string, fields: Record<string, 'number' | 'string'>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new FleetRunError(`fleetload: RESULT ${phase}: not JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
  }
  if (value === null || typeof value !== 'object') throw new FleetRunError(`fleetload: RESULT ${phase}: not an object`);
  const record = value as Record<string, unknown>;
  for (const [name, type] of Object.entries(fields)) {
    if (typeof record[name] !== type || (type === 'number' && !Number.isFinite(record[name]))) {
      throw new FleetRunError(`fleetload: RESULT ${phase}: field ${name} is ${JSON.stringify(record[name])}, want a ${type}`);
    }
  }
  return value as T;
}

/** Writes `n` random tokens for instances fleet-000000 … to `path` (the hub's token file format). */
export function writeFleetTokens(path: string, n: number): void {
  const tokens: Record<string, string> = {};
  for (let i = 0; i < n; i++) tokens[randomBytes(18).toString('base64url')] = `fleet-${String(i).padStart(6, '0')}`;
  writeFileSync(path, JSON.stringify(tokens));
}

function hubCommand(stack: Stack, tokensFile: string, o: FleetOptions): [string, string[]] {
  return stack === 'ts'
    ? [process.execPath, [...(o.tsNodeArgs ?? []), FLEET_PROGRAMS.tsHub, 'hub', '--listen', '127.0.0.1:0', '--tokens', tokensFile, '--log-level', 'warn']]
    : [FLEET_PROGRAMS.goHub, ['--listen', '127.0.0.1:0', '--tokens', tokensFile]];
}

/** The hub's `http://host:port` from its start-up line. */
async function hubUrl(stack: Stack, hub: Peer): Promise<string> {
  const line = stack === 'ts' ? await hub.waitFor('fluxrpc hub listening on', 30_000) : `http://${await hub.waitFor('LISTEN', 30_000)}`;
  const m = /^http:\/\/127\.0\.0\.1:\d+/.exec(line);
  if (!m) throw new FleetRunError(`${hub.label}: cannot read its address from ${JSON.stringify(line)}`);
  return m[0];
}

function failIfErrors(what: string, r: { errors: number; firstError: string | null }): void {
  if (r.errors > 0) throw new FleetRunError(`${what}: ${r.errors} error(s), the first: ${r.firstError}`);
}

/** Runs the fleet benchmark against one hub; throws FleetRunError when anything went wrong. */
export async function runFleet(stack: Stack, o: FleetOptions): Promise<FleetFigures> {
  const progress = o.progress ?? (() => undefined);
  // Each process holds a descriptor per daemon, plus the HTTP connections and its own files.
  const files = o.n + 2 * o.concurrency + 256;
  const phaseMs = 120_000 + 20 * o.n;
  const latencyMs = 60_000 + 50 * o.latencyCalls;
  const settleMs = o.settleMs ?? SETTLE_MS;
  const timeBoxMs = 2 * settleMs + o.idleMs + 2 * phaseMs + latencyMs + 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-fleet-'));
  const tokensFile = join(dir, 'tokens.json');
  writeFleetTokens(tokensFile, o.n);
  let hub: Peer | undefined;
  let load: Peer | undefined;
  try {
    hub = new Peer(`${stack} hub`, ...withOpenFiles(files, ...hubCommand(stack, tokensFile, o)), timeBoxMs);
    const url = await hubUrl(stack, hub);
    const pid = hub.pid!;
    const hubLabel = hub.label;
    const read = <T>(f: (pid: number) => T): T => {
      try {
        return f(pid);
      } catch (e) {
        throw new FleetRunError(`${hubLabel} (pid ${pid}): ${(e as Error).message} (has it exited?)`);
      }
    };
    await sleep(settleMs);
    const baseline: Memory = read(memoryOf);
    const cpuStart = read(cpuSecondsOf);

    const loadArgs = ['--url', url, '--tokens', tokensFile, '--dial-concurrency', String(o.dialConcurrency), '--concurrency', String(o.concurrency), '--latency-calls', String(o.latencyCalls)];
    load = new Peer('fleetload', ...withOpenFiles(files, FLEET_PROGRAMS.load, loadArgs), timeBoxMs, { stdin: true });
    const reg = parsePhaseResult<RegisterResult>('register', await load.waitFor('RESULT register', phaseMs), REGISTER_FIELDS);
    failIfErrors('registration', reg);
    if (reg.daemons !== o.n) throw new FleetRunError(`registration: fleetload dialled ${reg.daemons} daemons, want ${o.n}`);
    const registerCpuSeconds = read(cpuSecondsOf) - cpuStart;
    const registered = read(memoryOf);
    progress(`${o.n} registered in ${reg.seconds.toFixed(2)} s; idle for ${(o.idleMs / 1000).toFixed(0)} s`);

    await sleep(settleMs);
    const idleCpu0 = read(cpuSecondsOf);
    const idle0 = performance.now();
    // A timer may fire up to a millisecond early by this clock (libuv's loop time is cached): the
    // window is at least what it says.
    for (let left = o.idleMs; left > 0; left = o.idleMs - (performance.now() - idle0)) await sleep(Math.ceil(left));
    const idleCpu1 = read(cpuSecondsOf);
    const idleSeconds = (performance.now() - idle0) / 1000;
    const idle = read(memoryOf);

    load.send('fanout');
    const fan = parsePhaseResult<CallsResult>('fanout', await load.waitFor('RESULT fanout', phaseMs), CALLS_FIELDS);
    failIfErrors('fan-out', fan);
    if (fan.calls !== o.n) throw new FleetRunError(`fan-out: ${fan.calls} calls, want ${o.n}`);
    const fanoutCpuSeconds = read(cpuSecondsOf) - idleCpu1;
    progress(`fan-out of ${o.n} calls in ${fan.seconds.toFixed(2)} s`);

    load.send('latency');
    const lat = parsePhaseResult<CallsResult>('latency', await load.waitFor('RESULT latency', latencyMs), CALLS_FIELDS);
    failIfErrors('single calls', lat);
    if (lat.calls !== o.latencyCalls) throw new FleetRunError(`single calls: ${lat.calls} calls, want ${o.latencyCalls}`);
    const after = read(memoryOf);

    load.send('check');
    const check = parsePhaseResult<CheckResult>('check', await load.waitFor('RESULT check', 30_000), CHECK_FIELDS);
    if (check.connected !== o.n) throw new FleetRunError(`check: ${check.connected} of ${o.n} daemons still connected at the end`);

    load.send('quit');
    await load.stop(10_000);
    hub.kill('SIGTERM');
    await hub.stop(15_000);
    return {
      stack,
      n: o.n,
      registerSeconds: reg.seconds,
      dialSeconds: reg.dialSeconds,
      registerCpuSeconds,
      idleSeconds,
      idleCpuPercent: ((idleCpu1 - idleCpu0) / idleSeconds) * 100,
      rssBaseline: baseline.rss,
      rssRegistered: registered.rss,
      rss: idle.rss,
      bytesPerConnection: (idle.rss - baseline.rss) / o.n,
      fanoutSeconds: fan.seconds,
      fanoutCallsPerSec: fan.callsPerSec,
      fanoutCpuSeconds,
      callP50ms: lat.p50ms,
      callP99ms: lat.p99ms,
      rssAfterCalls: after.rss,
      peakRss: after.peak,
    };
  } finally {
    load?.kill('SIGKILL');
    hub?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line with a run's figures. */
export function describeFleet(f: FleetFigures): string {
  return [
    `registered in ${f.registerSeconds.toFixed(2)} s (hub CPU ${f.registerCpuSeconds.toFixed(2)} s)`,
    `RSS ${mib(f.rss)} with all connected (${mib(f.rssBaseline)} before, ${kib(f.bytesPerConnection)} per connection; ${mib(f.rssRegistered)} just after registering, ${mib(f.rssAfterCalls)} after the calls, peak ${mib(f.peakRss)})`,
    `idle CPU ${f.idleCpuPercent.toFixed(2)}% of a core over ${f.idleSeconds.toFixed(0)} s`,
    `fan-out in ${f.fanoutSeconds.toFixed(2)} s (${f.fanoutCallsPerSec.toFixed(0)} calls/s, hub CPU ${f.fanoutCpuSeconds.toFixed(2)} s)`,
    `single call p50 ${f.callP50ms.toFixed(3)} ms, p99 ${f.callP99ms.toFixed(3)} ms`,
  ].join('; ');
}

/** The run's rows in the results (in-flight: dials, fan-out requests or calls at a time; 0 for memory and idle CPU). */
export function recordFleet(results: Results, f: FleetFigures, o: FleetOptions): void {
  const add = (name: string, inflight: number, value: number, unit: ResultRow['unit']) => results.add(f.stack, `fleet.${name}`, inflight, value, unit, 'lower', f.n);
  add('registerSeconds', o.dialConcurrency, f.registerSeconds, 's');
  add('registerCpuSeconds', o.dialConcurrency, f.registerCpuSeconds, 's');
  add('fanoutSeconds', o.concurrency, f.fanoutSeconds, 's');
  add('fanoutCpuSeconds', o.concurrency, f.fanoutCpuSeconds, 's');
  add('callP50', 1, f.callP50ms, 'ms');
  add('callP99', 1, f.callP99ms, 'ms');
  add('rss', 0, f.rss, 'bytes');
  add('bytesPerConnection', 0, f.bytesPerConnection, 'bytes/conn');
  add('peakRss', 0, f.peakRss, 'bytes');
  add('idleCpu', 0, f.idleCpuPercent, '%');
}

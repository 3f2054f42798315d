/**
 * The Flux API layer against the real flux v1.25.4 Go module (test/interop/go/cmd/fluxpeer).
 *
 * 1. flux's own conformance battery, `remote.ServerTestBattery`, run by Go's testing package with
 *    each Go client rpc.NewClientV6…V11 against OUR server. The battery's mock lives in the Go
 *    process, so our server relays: fluxpeer serves the mock with flux's rpc.NewServer on a back
 *    channel, our V11 client talks to it, and that client is the implementation behind our
 *    server. Each run is compared step by step with the same battery against flux's own server
 *    (or, for V6, the reconstructed V6-era flat server), and with the outcome docs/rpc.md §9 predicts.
 *
 * 2. Our clients V6…V11 against Go's servers (flux's rpc.NewServer, "union"; the reconstructed
 *    V6-era "flat" server) over a remote.MockServer whose answers and errors we set. Every call is
 *    made twice, by our client and by flux's Go client of the same version against the same
 *    server and mock (fluxpeer's Control.GoCall), and both must agree: the value (as Go's
 *    json.Marshal writes it), the error's class/text/type/help, and the arguments the mock
 *    received. The expected outcome class of every call is also spelled out per version, from
 *    docs/rpc.md §6, so that a fault shared by both sides would still show.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { DaemonImplementation, FluxApi, ProtocolVersion } from '../../src/flux/api.js';
import { serveFlux } from '../../src/flux/server.js';
import { createFluxClient, type FluxClient, type MethodName } from '../../src/flux/versions/index.js';
import { Client } from '../../src/rpc/client.js';
import type { ByteStream } from '../../src/transport/byte-stream.js';
import { dialTcp, listenTcp } from '../../src/transport/tcp.js';
import { WebSocketAcceptor, dialWebSocket, type WebSocketStream } from '../../src/transport/websocket.js';
import { GoShutdownRace, callTs, compareOutcomes, outcomeClass, type GoErrInfo, type GoOutcome, type TsOutcome } from './flux-outcome.js';
import { GoPeer, hostPort, requirePeer } from './go-peer.js';

const PEER = 'fluxpeer';
const peers: GoPeer[] = [];
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  peers.forEach((p) => p.kill());
});
function startPeer(args: string[]): GoPeer {
  const p = GoPeer.start(PEER, args);
  peers.push(p);
  return p;
}

const VERSIONS: readonly ProtocolVersion[] = [6, 7, 8, 9, 10, 11];

// === 1. flux's battery: Go clients against our server =========================================

interface BatteryCall {
  method: string;
  error: GoErrInfo | null;
}
interface BatteryStep {
  step: number;
  name: string;
  reached: boolean;
  passed: boolean;
  failures: string[];
  calls: BatteryCall[];
}
interface BatteryResult {
  version: number;
  server: string;
  passed: boolean;
  failedSteps: number[];
  steps: BatteryStep[];
  unattributed: string[];
  output: string;
}

/** The implementation our server runs in the battery: every call forwarded to `target`. */
function forwardTo(target: Promise<FluxApi>): DaemonImplementation {
  return {
    ping: async (ctx) => (await target).ping(ctx),
    version: async (ctx) => (await target).version(ctx),
    export: async (ctx) => (await target).export(ctx),
    listServices: async (ctx, ns) => (await target).listServices(ctx, ns),
    listServicesWithOptions: async (ctx, o) => (await target).listServicesWithOptions(ctx, o),
    listImages: async (ctx, spec) => (await target).listImages(ctx, spec),
    listImagesWithOptions: async (ctx, o) => (await target).listImagesWithOptions(ctx, o),
    updateManifests: async (ctx, spec) => (await target).updateManifests(ctx, spec),
    notifyChange: async (ctx, change) => (await target).notifyChange(ctx, change),
    jobStatus: async (ctx, id) => (await target).jobStatus(ctx, id),
    syncStatus: async (ctx, ref) => (await target).syncStatus(ctx, ref),
    gitRepoConfig: async (ctx, regenerate) => (await target).gitRepoConfig(ctx, regenerate),
  };
}

/** The battery with flux's Go client `version` against flux's own server (or the flat one). */
async function referenceBattery(version: ProtocolVersion, server: 'go' | 'goflat'): Promise<BatteryResult> {
  const peer = startPeer(['battery', '--version', String(version), '--server', server]);
  try {
    return await peer.result<BatteryResult>(120_000);
  } finally {
    peer.kill();
  }
}

/** The battery with flux's Go client `version` against our server, relayed to the Go mock. */
async function ourBattery(version: ProtocolVersion, options: { flat: boolean; transport: 'tcp' | 'ws' }): Promise<BatteryResult> {
  let resolveBacking!: (client: FluxClient) => void;
  const backing = new Promise<FluxClient>((r) => (resolveBacking = r));
  const impl = forwardTo(backing);
  const serve = (stream: ByteStream) => serveFlux(impl, stream, { flat: options.flat });
  let tcpServer: NetServer | undefined;
  let peer: GoPeer;
  if (options.transport === 'tcp') {
    tcpServer = await listenTcp({ host: '127.0.0.1', port: 0 }, (stream) => serve(stream));
    const { port } = tcpServer.address() as AddressInfo;
    peer = startPeer(['battery', '--version', String(version), '--server', 'ts', '--dial', `127.0.0.1:${port}`]);
  } else {
    peer = startPeer(['battery', '--version', String(version), '--server', 'ts', '--transport', 'ws', '--listen', '127.0.0.1:0']);
  }
  let client: FluxClient | undefined;
  try {
    const mock = await peer.line('MOCK ');
    client = createFluxClient(11, await dialTcp(hostPort(mock)));
    resolveBacking(client);
    if (options.transport === 'ws') {
      // Flux's roles: the upstream (Go, websocket.Upgrade) is called; we dial as fluxd and serve.
      const address = await peer.line('LISTEN ');
      serve(await dialWebSocket(`ws://${address}/v${version}/daemon`, { headers: { 'User-Agent': 'fluxd/test' } }));
    }
    return await peer.result<BatteryResult>(120_000);
  } finally {
    peer.kill();
    await client?.close();
    tcpServer?.close();
  }
}

/** docs/rpc.md §9: the steps that fail for each client version (V6 against a flat server). */
const EXPECTED_FAILED_STEPS: Record<ProtocolVersion, number[]> = {
  6: [4, 8], // step 4: the ListImagesWithOptions shim's ListServices still has step 3's error; step 8: NotifyChange needs V9
  7: [4, 8],
  8: [4, 8],
  9: [4],
  10: [],
  11: [],
};
/** A V6 client against a union server: flat decoding of a union reply is fatal from step 2 on. */
const V6_AGAINST_UNION_FAILED_STEPS = [2, 4, 8, 9];

/**
 * What a step looks like, comparable across runs: dumps with time.Now() reduced to their first
 * line, and Go's shutdown race (GoShutdownRace) resolved the way that does not depend on timing.
 */
function stepSummary(r: BatteryResult) {
  const race = new GoShutdownRace();
  return r.steps.map((s) => {
    const calls = s.calls.map((c) => {
      const e = race.normalise(c.error);
      return { method: c.method, class: e?.class ?? 'ok', text: e?.text ?? '' };
    });
    const raced = new Set(s.calls.map((c, i) => (c.error !== null && calls[i]!.text !== c.error.text ? c.error.text : undefined)));
    return {
      step: s.step,
      reached: s.reached,
      passed: s.passed,
      failures: s.failures.map((f) => (raced.has(f) ? 'connection is shut down' : f.split('\n')[0])),
      calls,
    };
  });
}

function assertBattery(ours: BatteryResult, reference: BatteryResult, expectedFailed: number[]): void {
  const context = `our run:\n${ours.output}\nreference run:\n${reference.output}`;
  assert.deepEqual(reference.failedSteps, expectedFailed, `the reference run did not fail as docs/rpc.md §9 says\n${context}`);
  assert.deepEqual(ours.failedSteps, expectedFailed, `failed steps\n${context}`);
  assert.equal(ours.passed, expectedFailed.length === 0, context);
  assert.deepEqual(ours.unattributed, [], context);
  assert.ok(
    ours.steps.every((s) => s.reached),
    `not every step was reached\n${context}`,
  );
  // Step by step, the Go client saw from our server exactly what it saw from the Go server.
  assert.deepEqual(stepSummary(ours), stepSummary(reference), context);
}

describe("flux's remote.ServerTestBattery: Go clients V6…V11 against our server", { timeout: 300_000 }, () => {
  for (const version of VERSIONS) {
    const flat = version === 6;
    test(`V${version}${flat ? ' (flat server)' : ''} over TCP: fails exactly steps [${EXPECTED_FAILED_STEPS[version].join(', ')}], as against Go`, async (t) => {
      if (!requirePeer(t, PEER)) return;
      const reference = await referenceBattery(version, flat ? 'goflat' : 'go');
      const ours = await ourBattery(version, { flat, transport: 'tcp' });
      assertBattery(ours, reference, EXPECTED_FAILED_STEPS[version]);
    });
  }

  test('V6 against a union server: fatal from step 2 on, as against Go', async (t) => {
    if (!requirePeer(t, PEER)) return;
    const reference = await referenceBattery(6, 'go');
    const ours = await ourBattery(6, { flat: false, transport: 'tcp' });
    assertBattery(ours, reference, V6_AGAINST_UNION_FAILED_STEPS);
    const step2 = ours.steps[1]!.calls[0]!.error!;
    assert.equal(step2.class, 'fatal');
    assert.equal(step2.text, 'reading body json: cannot unmarshal object into Go value of type []v6.ControllerStatus');
  });

  for (const [version, flat] of [
    [11, false],
    [6, true],
  ] as const) {
    test(`V${version} over flux's websocket (Go upstream accepts with websocket.Upgrade, we dial and serve)`, async (t) => {
      if (!requirePeer(t, PEER)) return;
      const reference = await referenceBattery(version, flat ? 'goflat' : 'go');
      const ours = await ourBattery(version, { flat, transport: 'ws' });
      assertBattery(ours, reference, EXPECTED_FAILED_STEPS[version]);
    });
  }
});

// === 2. our clients against Go servers, differential with flux's Go clients ===================

interface ErrSpec {
  kind: 'plain' | 'flux' | 'wrapped-flux' | 'wrapped-plain';
  message?: string;
  type?: string;
  help?: string;
  wrap?: string;
}
interface MockConfig {
  fixture?: 'rich' | 'empty';
  answers?: Record<string, string>;
  errors?: Record<string, ErrSpec>;
}
interface Received {
  method: string;
  arg: string;
}

/** fluxpeer mockserver: its RPC listeners and its control service. */
interface MockServer {
  union: { host: string; port: number };
  flat: { host: string; port: number };
  control: Client;
  configure(config: MockConfig): Promise<Record<string, string>>;
  received(): Promise<Received[]>;
  goCall(client: string, version: ProtocolVersion, server: 'union' | 'flat', method: MethodName, arg: string | undefined): Promise<GoOutcome>;
  peer: GoPeer;
}

async function startMockServer(extra: string[] = []): Promise<MockServer> {
  const peer = startPeer(['mockserver', '--listen', '127.0.0.1:0', ...extra]);
  const union = hostPort(await peer.line('LISTEN union '));
  const flat = hostPort(await peer.line('LISTEN flat '));
  const control = new Client(await dialTcp(hostPort(await peer.line('CONTROL '))));
  cleanups.push(() => control.close());
  return {
    union,
    flat,
    control,
    peer,
    configure: (config) => control.call('Control.Configure', { fixture: config.fixture ?? 'rich', answers: config.answers ?? null, errors: config.errors ?? null }),
    received: async () => (await control.call<Received[] | null>('Control.Received', {})) ?? [],
    goCall: (client, version, server, method, arg) => control.call('Control.GoCall', { client, version, server, method, arg: arg ?? '' }),
  };
}

let shared: Promise<MockServer> | undefined;
/** One mockserver for the whole file (tests run one at a time and configure it first). */
function mockServer(): Promise<MockServer> {
  shared ??= startMockServer();
  return shared;
}

interface Step {
  method: MethodName;
  arg?: string;
}
const step = (method: MethodName, arg?: unknown): Step => (arg === undefined ? { method } : { method, arg: JSON.stringify(arg) });

interface Row {
  label: string;
  ts: TsOutcome;
  go: GoOutcome;
}

let goClients = 0;

/**
 * Makes each call with a fresh client of ours and a fresh Go client (same version, same server)
 * and returns the rows; fails the test on any disagreement.
 */
async function differential(
  ms: MockServer,
  version: ProtocolVersion,
  server: 'union' | 'flat',
  config: MockConfig,
  steps: readonly Step[],
  stream?: ByteStream,
): Promise<Row[]> {
  await ms.configure(config);
  const client = createFluxClient(version, stream ?? (await dialTcp(server === 'union' ? ms.union : ms.flat)));
  const goClient = `go-${++goClients}`;
  const race = new GoShutdownRace();
  const rows: Row[] = [];
  const problems: string[] = [];
  try {
    for (const [i, s] of steps.entries()) {
      const label = `#${i + 1} ${s.method}(${s.arg ?? ''})`;
      const ts = await callTs(client, s.method, s.arg, AbortSignal.timeout(30_000));
      const tsReceived = await ms.received();
      const go = await ms.goCall(goClient, version, server, s.method, s.arg);
      go.error = race.normalise(go.error);
      const goReceived = await ms.received();
      rows.push({ label, ts, go });
      for (const p of compareOutcomes(ts, go)) problems.push(`${label}: ${p}`);
      try {
        assert.deepEqual(tsReceived, goReceived);
      } catch {
        problems.push(`${label}: the mock received\n  from ours ${JSON.stringify(tsReceived)}\n  from Go   ${JSON.stringify(goReceived)}`);
      }
    }
  } finally {
    await client.close();
  }
  assert.deepEqual(problems, [], `V${version} against the ${server} server: ours and Go's clients disagree`);
  return rows;
}

/** The outcome classes of the rows, as one space-separated string. */
const classes = (rows: Row[]) => rows.map((r) => outcomeClass(r.ts)).join(' ');

/** Per-version expectations written as one line of classes per version. */
function expectClasses(rows: Row[], expected: string, what: string): void {
  assert.equal(classes(rows), expected.trim().split(/\s+/).join(' '), `${what}\n${rows.map((r) => `${r.label} → ${JSON.stringify(r.ts.error ?? r.ts.result?.slice(0, 80))}`).join('\n')}`);
}

const IMAGE_ALL = { type: 'image', cause: { Message: 'release <it>', User: 'alice' }, spec: { ServiceSpecs: ['<all>'], ImageSpec: '<all latest>', Kind: 'execute', Excludes: null, Force: false } };
const IMAGE_IDS = {
  type: 'image',
  cause: { Message: '', User: '' },
  spec: {
    ServiceSpecs: ['default:deployment/helloworld', 'staging:statefulset/db'],
    ImageSpec: 'quay.io/weaveworks/helloworld:master-c000003',
    Kind: 'plan',
    Excludes: ['default:deployment/other'],
    Force: true,
  },
};
const POLICY = { type: 'policy', cause: { Message: 'lock', User: 'bob' }, spec: { 'default:deployment/helloworld': { add: { locked: 'true', 'tag.helloworld': 'semver:~1.0' }, remove: { automated: 'true' } } } };
const CONTAINERS = {
  type: 'containers',
  cause: { Message: '', User: '' },
  spec: {
    Kind: 'execute',
    ContainerSpecs: { 'default:deployment/helloworld': [{ Container: 'helloworld', Current: 'quay.io/weaveworks/helloworld:master-a000001', Target: 'quay.io/weaveworks/helloworld:master-c000003' }] },
    SkipMismatches: true,
    Force: false,
  },
};
const AUTO = {
  type: 'auto',
  cause: { Message: '', User: '' },
  spec: { Changes: [{ WorkloadID: 'default:deployment/helloworld', Container: { Name: 'helloworld', Image: 'quay.io/weaveworks/helloworld:master-a000001' }, ImageID: 'quay.io/weaveworks/helloworld:master-c000003' }] },
};
const SYNC = { type: 'sync', cause: { Message: '', User: '' }, spec: {} };
const GIT_CHANGE = { Kind: 'git', Source: { URL: 'git@github.com:org/repo', Branch: 'master' } };
const IMAGE_CHANGE = { Kind: 'image', Source: { Name: { Domain: 'quay.io', Image: 'weaveworks/helloworld' } } };
const JOB_ID = '7ea8e0b2-0d50-4b6d-8d6e-1d1a7f0c1a2b';

/** Every method, with arguments that exercise the kind checks and shims (rich answers). */
const EVERY_METHOD: readonly Step[] = [
  step('Ping'),
  step('Version'),
  step('Export'),
  step('ListServices', 'default'),
  step('ListServices', ''),
  step('ListServicesWithOptions', { Namespace: '', Services: null }),
  step('ListServicesWithOptions', { Namespace: '', Services: ['staging:statefulset/db', 'default:deployment/helloworld'] }),
  step('ListImages', '<all>'),
  step('ListImages', 'default:deployment/helloworld'),
  step('ListImagesWithOptions', { Spec: '<all>', OverrideContainerFields: null, Namespace: '' }),
  step('ListImagesWithOptions', { Spec: 'default:deployment/helloworld', OverrideContainerFields: ['Name', 'Current', 'LatestFiltered', 'Available'], Namespace: '' }),
  step('UpdateManifests', IMAGE_ALL),
  step('UpdateManifests', IMAGE_IDS),
  step('UpdateManifests', POLICY),
  step('UpdateManifests', CONTAINERS),
  step('UpdateManifests', AUTO),
  step('UpdateManifests', SYNC),
  step('SyncNotify'),
  step('NotifyChange', GIT_CHANGE),
  step('NotifyChange', IMAGE_CHANGE),
  step('JobStatus', JOB_ID),
  step('SyncStatus', 'HEAD'),
  step('GitRepoConfig', false),
  step('GitRepoConfig', true),
];

// Classes, one per EVERY_METHOD step (docs/rpc.md §6.2, §6.5). flux = a Flux error raised before any
// I/O (UpgradeNeeded / UnsupportedResourceKind) or decoded; server = the RPC error string (Go's
// v1.25.4 server has neither ListServicesWithOptions nor SyncNotify); fatal = a broken connection.
//                                     Pi Ve Ex LS LS LSo LSo LI LI LIo LIo UMa UMi UMp UMc UMa UMs SN NC NC JS SS GC GC
const EVERY_METHOD_UNION: Record<ProtocolVersion, string> = {
  6: `ok ok fatal fatal fatal fatal flux fatal flux fatal flux fatal flux flux fatal fatal fatal fatal flux flux fatal fatal fatal fatal`,
  7: `ok ok ok ok ok ok flux ok flux ok flux ok flux flux ok ok ok server flux flux ok ok ok ok`,
  8: `ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok server flux flux ok ok ok ok`,
  9: `ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok server ok ok ok ok ok ok`,
  10: `ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok server ok ok ok ok ok ok`,
  11: `ok ok ok ok ok server server ok ok ok ok ok ok ok ok ok ok server ok ok ok ok ok ok`,
};
const EVERY_METHOD_V6_FLAT = `ok ok ok ok ok ok flux ok flux ok flux ok flux flux ok ok ok ok flux flux ok ok ok ok`;
const EVERY_METHOD_V7_FLAT = `ok ok fatal fatal fatal fatal flux fatal flux fatal flux fatal flux flux fatal fatal fatal fatal flux flux fatal fatal fatal fatal`;

/** One call per method, for the error configurations. */
const ONE_PER_METHOD: readonly Step[] = [
  step('Ping'),
  step('Version'),
  step('Export'),
  step('ListServices', 'default'),
  step('ListServicesWithOptions', { Namespace: 'default', Services: null }),
  step('ListImages', '<all>'),
  step('ListImagesWithOptions', { Spec: '<all>', OverrideContainerFields: null, Namespace: '' }),
  step('UpdateManifests', IMAGE_ALL),
  step('SyncNotify'),
  step('NotifyChange', GIT_CHANGE),
  step('JobStatus', JOB_ID),
  step('SyncStatus', 'HEAD'),
  step('GitRepoConfig', false),
];

const APPLICATION_ERRORS: MockConfig = {
  errors: {
    Ping: { kind: 'flux', type: 'server', help: 'ping help', message: 'not ready' },
    Version: { kind: 'flux', type: 'server', help: 'version help', message: 'version unavailable' },
    Export: { kind: 'flux', type: 'server', help: '', message: 'cluster unreachable' },
    ListServices: { kind: 'flux', type: 'missing', help: 'No such namespace <x>\n', message: 'namespace "x" not found' },
    ListImages: { kind: 'wrapped-flux', wrap: 'listing', type: 'user', help: 'Try again & again\n', message: 'bad spec' },
    UpdateManifests: { kind: 'flux', type: 'user', help: 'Locked\n', message: 'workload is locked' },
    NotifyChange: { kind: 'flux', type: 'server', help: '', message: 'git <repo> unreachable' },
    JobStatus: { kind: 'flux', type: 'missing', help: 'unknown job', message: 'job not found' },
    SyncStatus: { kind: 'flux', type: 'missing', help: 'No repo', message: 'git repo not ready' },
    GitRepoConfig: { kind: 'wrapped-flux', wrap: 'getting config', type: 'missing', help: 'No repo <here>', message: 'git repo not configured' },
  },
};
/**
 * Flux errors without an underlying error (Go's Error() would panic on them, so only where Go
 * never calls it: the union reply's ApplicationError).
 */
const NO_UNDERLYING_ERROR: MockConfig = {
  errors: {
    SyncStatus: { kind: 'flux', type: 'missing', help: 'No repo' },
    GitRepoConfig: { kind: 'flux', type: '', help: '' },
  },
};
const INTERNAL_ERRORS: MockConfig = {
  errors: {
    Ping: { kind: 'plain', message: 'ping failed' },
    Version: { kind: 'plain', message: 'version failed' },
    Export: { kind: 'plain', message: 'export failed' },
    ListServices: { kind: 'plain', message: 'list services query failure' },
    ListImages: { kind: 'wrapped-plain', wrap: 'listing images', message: 'registry <down>' },
    UpdateManifests: { kind: 'plain', message: 'update manifests error' },
    NotifyChange: { kind: 'plain', message: 'context deadline exceeded' },
    JobStatus: { kind: 'plain', message: 'job store unavailable' },
    SyncStatus: { kind: 'plain', message: 'no such ref' },
    GitRepoConfig: { kind: 'plain', message: '' }, // an error with empty text: Go's net/rpc sends it as a success
  },
};

//                                  Pi     Ve     Ex     LS     LSo    LI     LIo    UM     SN     NC     JS     SS     GC
const APPLICATION_ERROR_CLASSES: Record<ProtocolVersion, string> = {
  6: `server server flux flux flux flux flux flux flux flux flux flux flux`,
  7: `server server flux flux flux flux flux flux server flux flux flux flux`,
  8: `server server flux flux flux flux flux flux server flux flux flux flux`,
  9: `server server flux flux flux flux flux flux server flux flux flux flux`,
  10: `server server flux flux flux flux flux flux server flux flux flux flux`,
  11: `server server flux flux server flux flux flux server flux flux flux flux`,
};
const INTERNAL_ERROR_CLASSES: Record<ProtocolVersion, string> = {
  6: `server server flux flux flux flux flux flux flux flux flux flux ok`,
  7: `server server server server server server server server server flux server server ok`,
  8: `server server server server server server server server server flux server server ok`,
  9: `server server server server server server server server server server server server ok`,
  10: `server server server server server server server server server server server server ok`,
  11: `server server server server server server server server server server server server ok`,
};

/** Nil answers (Go's nil slices) and empty ones. */
const NIL_OR_EMPTY: readonly Step[] = [
  step('Version'),
  step('Export'),
  step('ListServices', ''),
  step('ListServicesWithOptions', { Namespace: '', Services: null }),
  step('ListServicesWithOptions', { Namespace: '', Services: ['default:deployment/helloworld'] }),
  step('ListImages', '<all>'),
  step('ListImagesWithOptions', { Spec: '<all>', OverrideContainerFields: null, Namespace: '' }),
  step('UpdateManifests', SYNC),
  step('JobStatus', ''),
  step('SyncStatus', ''),
  step('GitRepoConfig', false),
];
const EMPTY_ANSWERS: MockConfig = { fixture: 'empty', answers: { ListServices: '[]', ListImages: '[]', SyncStatus: '[]', Export: '""' } };

/** Kind checks before any I/O, and what passes them (docs/rpc.md §6.5). */
const KIND_CHECKS: readonly Step[] = [
  step('ListImages', 'prod/legacy'),
  step('ListImages', 'default:foo/bar'),
  step('ListImages', 'not an id!'),
  step('ListImagesWithOptions', { Spec: 'default:foo/bar', OverrideContainerFields: null, Namespace: '' }),
  step('ListImagesWithOptions', { Spec: 'not an id!', OverrideContainerFields: null, Namespace: '' }),
  step('ListServicesWithOptions', { Namespace: 'default', Services: ['default:deployment/helloworld'] }),
  step('ListServicesWithOptions', { Namespace: '', Services: ['default:deployment/helloworld', 'default:foo/bar'] }),
  step('ListServicesWithOptions', { Namespace: '', Services: ['prod/legacy'] }),
  step('UpdateManifests', { ...IMAGE_ALL, spec: { ...IMAGE_ALL.spec, ServiceSpecs: ['default:foo/bar'] } }),
  step('UpdateManifests', { ...IMAGE_ALL, spec: { ...IMAGE_ALL.spec, Excludes: ['default:foo/bar'] } }),
  step('UpdateManifests', { ...IMAGE_ALL, spec: { ...IMAGE_ALL.spec, ServiceSpecs: ['prod/legacy'] } }),
  step('UpdateManifests', { ...POLICY, spec: { 'default:foo/bar': { add: { locked: 'true' }, remove: null } } }),
  step('UpdateManifests', { ...CONTAINERS, spec: { ...CONTAINERS.spec, ContainerSpecs: { 'default:foo/bar': [] } } }),
];
//                          LI     LI   LI LIo  LIo   LSo   LSo  LSo  UM   UM   UM   UM   UM
const KIND_CHECK_CLASSES: Record<ProtocolVersion, string> = {
  6: `ok flux ok flux plain plain flux ok flux flux ok flux ok`,
  7: `ok flux ok flux plain plain flux ok flux flux ok flux ok`,
  8: `flux flux ok flux plain plain flux flux flux flux flux flux ok`,
  9: `flux flux ok flux plain plain flux flux flux flux flux flux ok`,
  10: `flux flux ok flux ok plain flux flux flux flux flux flux ok`,
  11: `flux flux ok flux ok server flux flux flux flux flux flux ok`,
};
/** V6 against the union server: whatever passes the checks breaks the connection. */
const KIND_CHECK_V6_UNION = `fatal flux fatal flux fatal plain flux fatal flux flux fatal flux fatal`;

/** The shims' details: container fields, tag patterns of every kind, filters, order, misses. */
const SHIM_DETAILS: readonly Step[] = [
  ...[null, [], ['Name', 'Current'], ['Available'], ['LatestFiltered', 'FilteredImagesCount', 'NewFilteredImagesCount'], ['AvailableImagesCount', 'NewAvailableImagesCount'], ['AvailableError', 'Current'], ['Bogus']].flatMap((fields) =>
    ['<all>', 'default:deployment/helloworld', 'staging:statefulset/db', 'prod:daemonset/agent', 'other:cronjob/nobody'].map((spec) =>
      step('ListImagesWithOptions', { Spec: spec, OverrideContainerFields: fields, Namespace: 'ignored-by-the-shim' }),
    ),
  ),
  step('ListServicesWithOptions', { Namespace: '', Services: ['prod:daemonset/agent', 'default:deployment/helloworld'] }),
  step('ListServicesWithOptions', { Namespace: '', Services: ['default:deployment/helloworld', 'default:deployment/helloworld'] }),
  step('ListServicesWithOptions', { Namespace: '', Services: ['default:deployment/not-there'] }),
  step('ListServicesWithOptions', { Namespace: '', Services: [] }),
  step('ListServicesWithOptions', { Namespace: 'default', Services: [] }),
];

describe('our clients V6…V11 against Go servers, call by call against flux’s Go clients', { timeout: 300_000 }, () => {
  for (const version of VERSIONS) {
    test(`V${version} → flux's server: every method, rich answers`, async (t) => {
      if (!requirePeer(t, PEER)) return;
      const rows = await differential(await mockServer(), version, 'union', {}, EVERY_METHOD);
      expectClasses(rows, EVERY_METHOD_UNION[version], `V${version} every method`);
      if (version >= 7) {
        // Not vacuous: values came back, rollout statuses were polyfilled, shims filtered.
        const ls = JSON.parse(rows[4]!.ts.result!) as { ID: string; Status: string; Rollout: { Updated: number; Desired: number; Ready: number } }[];
        assert.deepEqual(
          ls.map((s) => [s.ID, s.Status, s.Rollout.Updated, s.Rollout.Desired, s.Rollout.Ready]),
          [
            ['default:deployment/helloworld', 'ready', 2, 2, 2],
            ['staging:statefulset/db', 'updating', 3, 5, 3],
            ['prod/legacy', 'updating', 2, 2, 2],
            ['prod:daemonset/agent', '7', 7, 0, 0],
          ],
        );
        if (version >= 8 && version <= 10) {
          assert.deepEqual(
            (JSON.parse(rows[6]!.ts.result!) as { ID: string }[]).map((s) => s.ID),
            ['default:deployment/helloworld', 'staging:statefulset/db'],
          );
        }
      }
    });

    for (const [name, config, expected] of [
      ['application (Flux) errors', APPLICATION_ERRORS, APPLICATION_ERROR_CLASSES[version]],
      ['internal (plain) errors', INTERNAL_ERRORS, INTERNAL_ERROR_CLASSES[version]],
    ] as const) {
      if (version === 6) continue; // V6 against the union server is fatal from the first versioned call (above)
      test(`V${version} → flux's server: ${name}`, async (t) => {
        if (!requirePeer(t, PEER)) return;
        const ms = await mockServer();
        const rows = await differential(ms, version, 'union', config, ONE_PER_METHOD);
        expectClasses(rows, expected, `V${version} ${name}`);
        if (config === APPLICATION_ERRORS) {
          // The wrapping text is lost; type and help travel.
          assert.deepEqual(rows[12]!.ts.error, {
            class: 'flux',
            text: 'git repo not configured',
            flux: { type: 'missing', help: 'No repo <here>', err: 'git repo not configured', hasErr: true },
          });
          const bare = await differential(ms, version, 'union', NO_UNDERLYING_ERROR, [step('SyncStatus', 'HEAD'), step('GitRepoConfig', true)]);
          assert.deepEqual(
            bare.map((r) => r.ts.error),
            [
              { class: 'flux', text: '', flux: { type: 'missing', help: 'No repo', err: '', hasErr: false } },
              { class: 'flux', text: '', flux: { type: '', help: '', err: '', hasErr: false } },
            ],
          );
        }
      });
    }

    if (version >= 7) {
      for (const [name, config] of [
        ['nil answers', { fixture: 'empty' }],
        ['empty answers', EMPTY_ANSWERS],
      ] as const) {
        test(`V${version} → flux's server: ${name}`, async (t) => {
          if (!requirePeer(t, PEER)) return;
          const rows = await differential(await mockServer(), version, 'union', config, NIL_OR_EMPTY);
          // V7 knows only services: #5 asks for a deployment (UnsupportedResourceKind, no I/O).
          const lswo = version === 11 ? 'server server' : version === 7 ? 'ok flux' : 'ok ok';
          expectClasses(rows, `ok ok ok ${lswo} ok ok ok ok ok ok`, `V${version} ${name}`);
          // nil stays null, empty stays [] (ListServices, SyncStatus); a filter with no match is null.
          assert.equal(rows[2]!.ts.result, name === 'nil answers' ? 'null' : '[]');
          assert.equal(rows[9]!.ts.result, name === 'nil answers' ? 'null' : '[]');
          if (version >= 8 && version < 11) assert.equal(rows[4]!.ts.result, 'null');
        });
      }
    }

    test(`V${version} → flux's server: kind checks before any I/O`, async (t) => {
      if (!requirePeer(t, PEER)) return;
      const ms = await mockServer();
      const rows = await differential(ms, version, 'union', {}, KIND_CHECKS);
      expectClasses(rows, version === 6 ? KIND_CHECK_V6_UNION : KIND_CHECK_CLASSES[version], `V${version} kind checks`);
      const upgrade = version <= 7;
      const refusal = rows[1]!.ts.error!;
      assert.equal(refusal.text, 'Unsupported resource kind: foo');
      assert.ok(refusal.flux!.help.startsWith(upgrade ? 'Your Flux daemon needs to be upgraded' : 'Unsupported resource kind: foo'), refusal.flux!.help);
    });
  }

  test("V6 → the V6-era flat server: every method", async (t) => {
    if (!requirePeer(t, PEER)) return;
    const rows = await differential(await mockServer(), 6, 'flat', {}, EVERY_METHOD);
    expectClasses(rows, EVERY_METHOD_V6_FLAT, 'V6 flat every method');
  });

  for (const [name, config, expected] of [
    ['application (Flux) errors', APPLICATION_ERRORS, APPLICATION_ERROR_CLASSES[6]],
    ['internal (plain) errors', INTERNAL_ERRORS, INTERNAL_ERROR_CLASSES[6]],
  ] as const) {
    test(`V6 → the V6-era flat server: ${name} (remoteApplicationError around every RPC error but Ping's and Version's)`, async (t) => {
      if (!requirePeer(t, PEER)) return;
      const rows = await differential(await mockServer(), 6, 'flat', config, ONE_PER_METHOD);
      expectClasses(rows, expected, `V6 flat ${name}`);
      const wrapped = rows[3]!.ts.error!;
      assert.ok(wrapped.flux!.help.startsWith('Error from daemon'), wrapped.flux!.help);
    });
  }

  test('V6 → the V6-era flat server: empty answers pass; a nil list (written as null) is fatal, as in Go', async (t) => {
    if (!requirePeer(t, PEER)) return;
    const ms = await mockServer();
    const empty = await differential(ms, 6, 'flat', EMPTY_ANSWERS, NIL_OR_EMPTY);
    // #5 asks for a deployment: V6 knows only services (UnsupportedResourceKind, before any I/O).
    expectClasses(empty, 'ok ok ok ok flux ok ok ok ok ok ok', 'V6 flat empty');
    const nil = await differential(ms, 6, 'flat', { fixture: 'empty' }, NIL_OR_EMPTY);
    expectClasses(nil, 'ok fatal fatal fatal flux fatal fatal fatal fatal fatal fatal', 'V6 flat nil');
    assert.equal(nil[1]!.ts.error!.text, 'invalid error <nil>');
  });

  test('V6 → the flat server: kind checks', async (t) => {
    if (!requirePeer(t, PEER)) return;
    const rows = await differential(await mockServer(), 6, 'flat', {}, KIND_CHECKS);
    expectClasses(rows, KIND_CHECK_CLASSES[6], 'V6 flat kind checks');
  });

  test('V7 → the flat server: decoding a flat reply as a union is fatal, as in Go', async (t) => {
    if (!requirePeer(t, PEER)) return;
    const rows = await differential(await mockServer(), 7, 'flat', {}, EVERY_METHOD);
    expectClasses(rows, EVERY_METHOD_V7_FLAT, 'V7 flat');
    assert.equal(rows[2]!.ts.error!.text, 'reading body json: cannot unmarshal string into Go value of type rpc.ExportResponse');
  });

  for (const [version, server] of [
    [6, 'flat'],
    [7, 'union'],
    [8, 'union'],
    [9, 'union'],
    [10, 'union'],
    [11, 'union'],
  ] as const) {
    test(`V${version} → ${server === 'flat' ? 'the flat' : "flux's"} server: shim details (container fields, tag patterns, filters)`, async (t) => {
      if (!requirePeer(t, PEER)) return;
      const rows = await differential(await mockServer(), version, server, {}, SHIM_DETAILS);
      const shimmed = version <= 9;
      const liwo = rows.slice(0, 40);
      const bogus = liwo.slice(35, 40);
      // The shim refuses a bad field name after its two calls (the mock answers every spec with
      // all its images); natively the mock ignores the options.
      // V6/V7 refuse the workload specs (they know only services) before any I/O.
      assert.deepEqual(
        bogus.map((r) => outcomeClass(r.ts)),
        !shimmed ? ['ok', 'ok', 'ok', 'ok', 'ok'] : version <= 7 ? ['plain', 'flux', 'flux', 'flux', 'flux'] : ['plain', 'plain', 'plain', 'plain', 'plain'],
      );
      if (shimmed) assert.equal(bogus[0]!.ts.error!.text, 'Bogus is an invalid field');
      if (version >= 8) assert.deepEqual(liwo.slice(0, 35).map((r) => outcomeClass(r.ts)), Array(35).fill('ok'));
      const lswo = rows.slice(40);
      assert.deepEqual(
        lswo.map((r) => outcomeClass(r.ts)),
        version === 11 ? ['server', 'server', 'server', 'server', 'server'] : version <= 7 ? ['flux', 'flux', 'flux', 'ok', 'ok'] : ['ok', 'ok', 'ok', 'ok', 'ok'],
      );
      if (version >= 8 && version < 11) {
        assert.deepEqual(
          (JSON.parse(lswo[0]!.ts.result!) as { ID: string }[]).map((s) => s.ID),
          ['default:deployment/helloworld', 'prod:daemonset/agent'],
          'kept in the order received',
        );
        assert.equal(lswo[2]!.ts.result, 'null');
      }
    });
  }
});

describe("our V11 client over flux's websocket: the Go daemon dials our upstream (websocket.Dial)", { timeout: 120_000 }, () => {
  test('every method, application errors and internal errors, as from flux’s Go V11 client', async (t) => {
    if (!requirePeer(t, PEER)) return;
    const acceptor = new WebSocketAcceptor();
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    const accepted = new Promise<WebSocketStream>((resolve, reject) => {
      server.on('upgrade', (req, socket, head) => acceptor.upgrade(req, socket, head).then(resolve, reject));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => server.close());
    const { port } = server.address() as AddressInfo;
    const ms = await startMockServer(['--ws-dial', `ws://127.0.0.1:${port}/v11/daemon`]);
    const stream = await accepted;
    await ms.peer.line('CONNECTED');
    // One websocket: the three configurations in turn on the same connection.
    const client = createFluxClient(11, stream);
    try {
      for (const [config, steps, expected] of [
        [{}, EVERY_METHOD, EVERY_METHOD_UNION[11]],
        [APPLICATION_ERRORS, ONE_PER_METHOD, APPLICATION_ERROR_CLASSES[11]],
        [INTERNAL_ERRORS, ONE_PER_METHOD, INTERNAL_ERROR_CLASSES[11]],
      ] as const) {
        const rows = await differentialOn(ms, client, config, steps);
        expectClasses(rows, expected, 'V11 over websocket');
      }
    } finally {
      await client.close();
    }
    assert.equal(await ms.peer.line('SERVE_END'), '');
  });
});

/** `differential` on an existing client of ours (V11, union). */
async function differentialOn(ms: MockServer, client: FluxClient, config: MockConfig, steps: readonly Step[]): Promise<Row[]> {
  await ms.configure(config);
  const goClient = `go-${++goClients}`;
  const rows: Row[] = [];
  const problems: string[] = [];
  for (const [i, s] of steps.entries()) {
    const label = `#${i + 1} ${s.method}(${s.arg ?? ''})`;
    const ts = await callTs(client, s.method, s.arg, AbortSignal.timeout(30_000));
    const tsReceived = await ms.received();
    const go = await ms.goCall(goClient, client.protocolVersion, 'union', s.method, s.arg);
    const goReceived = await ms.received();
    rows.push({ label, ts, go });
    for (const p of compareOutcomes(ts, go)) problems.push(`${label}: ${p}`);
    if (JSON.stringify(tsReceived) !== JSON.stringify(goReceived)) problems.push(`${label}: received ${JSON.stringify(tsReceived)} vs Go ${JSON.stringify(goReceived)}`);
  }
  assert.deepEqual(problems, []);
  return rows;
}

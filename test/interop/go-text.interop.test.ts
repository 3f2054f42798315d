/**
 * Every Go text fluxrpc reproduces (src/runtime/go-text.ts) against the text the real Go code
 * produces: test/interop/go/cmd/gotext provokes each one from this Go's stdlib, flux v1.25.4,
 * gorilla/websocket and Masterminds/semver (a net/rpc server and a jsonrpc client fed hand-made
 * messages, json.Unmarshal of bad input, flux's websocket dial answered 401, fluxd's upstream
 * answered 410, …) and prints `{ "<name>": "<text>" }`; `EXPECTED` below says what GoText gives for
 * the same name and arguments.
 *
 * GoText holds the texts of Go 1.19 (what deployed fluxd v1.25.4 binaries speak). Where the Go
 * building gotext is newer and its text differs only because of that, `NEWER_GO` lists the entry
 * with the Go version that changed it and how, and the rest of the text is still compared.
 *
 * Every key of GoText must be reached by some entry of `EXPECTED` (checked without Go as well), and
 * every name gotext prints must be in `EXPECTED`, so neither side can grow unchecked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GO_MAX_NESTING_DEPTH, GoText } from '../../src/runtime/go-text.js';
import { goBin, requirePeer } from './go-peer.js';

type G = typeof GoText;
/** GoText's text for one name, computed from `g` (GoText, watched for coverage). */
type Expect = (g: G) => string;

const q = (s: string) => JSON.stringify(s);
const hex = (c: number) => `0x${c.toString(16).padStart(2, '0')}`;

/** The scanner cases of gotext (`scanCases` in stdlib.go): context name, byte, GoText's context. */
const SCAN_CASES: Array<[string, number, (g: G) => string]> = [
  ['scan.beginningOfValue', 0x78, (g) => g.scan.beginningOfValue],
  ['scan.beginningOfObjectKey', 0x78, (g) => g.scan.beginningOfObjectKey],
  ['scan.afterObjectKey', 0x78, (g) => g.scan.afterObjectKey],
  ['scan.afterObjectKeyValue', 0x78, (g) => g.scan.afterObjectKeyValue],
  ['scan.afterArrayElement', 0x78, (g) => g.scan.afterArrayElement],
  ['scan.afterTopLevelValue', 0x78, (g) => g.scan.afterTopLevelValue],
  ['scan.inStringLiteral', 0x01, (g) => g.scan.inStringLiteral],
  ['scan.inStringEscape', 0x78, (g) => g.scan.inStringEscape],
  ['scan.inNumericLiteral', 0x78, (g) => g.scan.inNumericLiteral],
  ['scan.afterDecimalPoint', 0x78, (g) => g.scan.afterDecimalPoint],
  ['scan.inExponent', 0x78, (g) => g.scan.inExponent],
  ['scan.inUnicodeEscape', 0x78, (g) => g.scan.inUnicodeEscape],
  ...(
    [
      ['true', 'r'],
      ['true', 'u'],
      ['true', 'e'],
      ['false', 'a'],
      ['false', 'l'],
      ['false', 's'],
      ['false', 'e'],
      ['null', 'l'],
    ] as const
  ).map(([literal, next]): [string, number, (g: G) => string] => [`scan.inLiteral(${q(literal)}, ${q(next)})`, 0x78, (g) => g.scan.inLiteral(literal, next)]),
  ['scan.exceededMaxDepth', 0x5b, (g) => g.scan.exceededMaxDepth],
];

const EXPECTED = new Map<string, Expect>([
  // io (through encoding/json's Decoder), context, net/url
  ['eof', (g) => g.eof],
  ['unexpectedEOF#json.Decoder', (g) => g.unexpectedEOF],
  ['contextDeadlineExceeded', (g) => g.contextDeadlineExceeded],
  ['invalidSemicolonSeparator', (g) => g.invalidSemicolonSeparator],
  ['notFound', (g) => g.notFound],
  ['requestBodyTooLarge', (g) => g.requestBodyTooLarge],
  [`invalidUrlEscape(${q('"%zz"')})`, (g) => g.invalidUrlEscape('"%zz"')],

  // net/rpc server over jsonrpc, fed hand-made requests
  [`serviceAlreadyDefined(${q('Test')})`, (g) => g.serviceAlreadyDefined('Test')],
  [`illFormed(${q('Nodot')})`, (g) => g.illFormed('Nodot')],
  [`canNotFindService(${q('X.Y')})`, (g) => g.canNotFindService('X.Y')],
  [`canNotFindMethod(${q('Test.Nope')})`, (g) => g.canNotFindMethod('Test.Nope')],
  ['missingParams', (g) => g.missingParams],
  ...['object', 'string', 'number', 'bool'].map((kind): [string, Expect] => [`paramsNotArray(${q(kind)})`, (g) => g.paramsNotArray(kind)]),

  // jsonrpc client, fed hand-made responses
  ['unspecifiedError', (g) => g.unspecifiedError],
  [`invalidError(${q('<nil>')})`, (g) => g.invalidError('<nil>')],
  [`invalidError(${q('<nil>')})#no result`, (g) => g.invalidError('<nil>')],
  [`invalidError(${q('5')})`, (g) => g.invalidError('5')],
  ...['string', 'number -1', 'number 1.5'].map((kind): [string, Expect] => [`badResponseId(${q(kind)})`, (g) => g.badResponseId(kind)]),
  [`cannotUnmarshal(${q('array')}, ${q('jsonrpc.clientResponse')})`, (g) => g.cannotUnmarshal('array', 'jsonrpc.clientResponse')],
  [`readingBody(cannotUnmarshal(${q('string')}, ${q('int')}))`, (g) => g.readingBody(g.cannotUnmarshal('string', 'int'))],
  ['unexpectedEOF', (g) => g.unexpectedEOF],
  ['shutdown', (g) => g.shutdown],

  // encoding/json
  [`cannotUnmarshal(${q('string')}, ${q('int')})`, (g) => g.cannotUnmarshal('string', 'int')],
  [`cannotUnmarshalField(${q('string')}, ${q('Inner')}, ${q('A.B')}, ${q('int')})`, (g) => g.cannotUnmarshalField('string', 'Inner', 'A.B', 'int')],
  [
    `cannotUnmarshalField(${q('number')}, ${q('ReleaseEventMetadata')}, ${q('result')}, ${q('update.Result')})`,
    (g) => g.cannotUnmarshalField('number', 'ReleaseEventMetadata', 'result', 'update.Result'),
  ],
  [`cannotUnmarshalField(${q('number')}, ${q('GitRemoteConfig')}, ${q('remote.url')}, ${q('string')})`, (g) => g.cannotUnmarshalField('number', 'GitRemoteConfig', 'remote.url', 'string')],
  ...SCAN_CASES.map(([context, c, text]): [string, Expect] => [`invalidCharacter(${hex(c)}, ${context})`, (g) => g.invalidCharacter(c, text(g))]),
  // Every byte as encoding/json's quoteChar shows it (after `n`, or after `t` for the `u` that `n` expects).
  ...Array.from({ length: 256 }, (_, c): [string, Expect] => {
    const [literal, next] = c === 0x75 ? ['true', 'r'] : ['null', 'u'];
    return [`invalidCharacter(${hex(c)}, scan.inLiteral(${q(literal)}, ${q(next)}))`, (g) => g.invalidCharacter(c, g.scan.inLiteral(literal, next))];
  }),
  ['GO_MAX_NESTING_DEPTH', () => String(GO_MAX_NESTING_DEPTH)],
  ['unexpectedEndOfInput', (g) => g.unexpectedEndOfInput],
  ['unexpectedEndOfInput#cut', (g) => g.unexpectedEndOfInput],
  ...['+Inf', '-Inf', 'NaN'].map((v): [string, Expect] => [`unsupportedValue(${q(v)})`, (g) => g.unsupportedValue(v)]),
  ['timeYearOutOfRange', (g) => g.timeYearOutOfRange],
  ['timeYearOutOfRange#-1', (g) => g.timeYearOutOfRange],

  // gorilla/websocket, as flux uses it
  ...[999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016, 3000, 4999].map(
    (code): [string, Expect] => [`closeError(${code}, ${q('bye')})`, (g) => g.closeError(code, 'bye')],
  ),
  ...[1000, 1005, 1006, 1012, 1015].map((code): [string, Expect] => [`closeError(${code}, ${q('')})`, (g) => g.closeError(code, '')]),
  ['notWebSocketProtocol', (g) => g.notWebSocketProtocol],
  [`dialError(${q('ws://<host>/v11/daemon')}, 401)`, (g) => g.dialError('ws://<host>/v11/daemon', 401)],

  // flux
  ['apiDeprecated', (g) => g.apiDeprecated],
  [`httpStatus(${q('500 Internal Server Error')}, ${q('boom')})`, (g) => g.httpStatus('500 Internal Server Error', 'boom')],
  ...['ftp', 'hub', ''].map((scheme): [string, Expect] => [`unsupportedScheme(${q(scheme)})`, (g) => g.unsupportedScheme(scheme)]),
  ['fluxdDeprecated', (g) => g.fluxdDeprecated],
  ['blankTag', (g) => g.blankTag],
  ['unknownReleaseSpecType', (g) => g.unknownReleaseSpecType],

  // Masterminds/semver
  [`improperConstraint(${q('~~1')})`, (g) => g.improperConstraint('~~1')],
  ['constraintParserError', (g) => g.constraintParserError],
]);

interface NewerGo {
  /** The first Go release whose text differs from Go 1.19's. */
  since: [major: number, minor: number];
  /** What changed, and where that is documented. */
  why: string;
  /** The newer Go's text, made from GoText's Go 1.19 text. */
  newer(go119: string): string;
}

/**
 * The expected differences: texts that differ from GoText only because the Go building gotext is
 * newer than Go 1.19. GoText keeps Go 1.19's text; with a Go at or after `since` the test expects
 * `newer(GoText's text)` exactly, with an older Go GoText's text itself.
 */
const NEWER_GO: Readonly<Record<string, NewerGo>> = {
  // Go 1.24 release notes (go.dev/doc/go1.24, encoding/json): "UnmarshalTypeError.Field now includes
  // embedded structs". $GOROOT/src/encoding/json/decode.go, decodeState.object, now pushes the
  // name of each embedded struct on the way to the field onto errorContext.FieldStack.
  [`cannotUnmarshalField(${q('number')}, ${q('ReleaseEventMetadata')}, ${q('result')}, ${q('update.Result')})`]: {
    since: [1, 24],
    why: 'the field path names the embedded event.ReleaseEventCommon',
    newer: (t) => t.replace('ReleaseEventMetadata.result ', 'ReleaseEventMetadata.ReleaseEventCommon.result '),
  },
  [`cannotUnmarshalField(${q('number')}, ${q('GitRemoteConfig')}, ${q('remote.url')}, ${q('string')})`]: {
    since: [1, 24],
    why: 'the field path names the embedded git.Remote',
    newer: (t) => t.replace('GitRemoteConfig.remote.url ', 'GitRemoteConfig.remote.Remote.url '),
  },
};

/** `go1.26.8` → [1, 26]; a development build counts as newer than any release. */
function goRelease(version: string): [number, number] {
  const m = /^go(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : [Infinity, Infinity];
}

const atLeast = (v: [number, number], since: [number, number]) => v[0] > since[0] || (v[0] === since[0] && v[1] >= since[1]);

/** What Go `goVersion` should print for `name`, given GoText's (Go 1.19) text. */
function expectedFromGo(name: string, go119: string, goVersion: string): string {
  const newer = NEWER_GO[name];
  return newer && atLeast(goRelease(goVersion), newer.since) ? newer.newer(go119) : go119;
}

/** GoText's leaf keys as dotted paths (`eof`, `scan.inLiteral`, …). */
function leafPaths(object: object, prefix = ''): string[] {
  return Object.entries(object).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? leafPaths(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

/** `object` seen through a proxy that records every key path read from it. */
function watched<T extends object>(object: T, seen: Set<string>, prefix = ''): T {
  return new Proxy(object, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return value;
      seen.add(prefix + key);
      return typeof value === 'object' && value !== null ? watched(value, seen, `${prefix}${key}.`) : value;
    },
  });
}

let goOutput: Record<string, string> | undefined;
/** gotext's output (run once). */
function runGoText(): Record<string, string> {
  if (goOutput) return goOutput;
  const run = spawnSync(goBin('gotext'), [], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `gotext failed (${run.error?.message ?? `status ${run.status}`}): ${run.stderr}`);
  goOutput = JSON.parse(run.stdout) as Record<string, string>;
  return goOutput;
}

test('every text the real Go code gives equals GoText for the same arguments', (t) => {
  if (!requirePeer(t, 'gotext')) return;
  const { '@goVersion': goVersion, ...texts } = runGoText();
  assert.match(goVersion ?? '', /^go/, 'gotext prints the Go version that built it');
  const problems: string[] = [];
  for (const [name, goText] of Object.entries(texts)) {
    const ours = EXPECTED.get(name);
    if (!ours) {
      problems.push(`${name}: printed by gotext, not checked here`);
      continue;
    }
    const want = expectedFromGo(name, ours(GoText), goVersion!);
    if (want !== goText) problems.push(`${name}\n    Go (${goVersion}): ${q(goText)}\n    GoText:       ${q(want)}`);
  }
  for (const name of EXPECTED.keys()) if (!(name in texts)) problems.push(`${name}: checked here, not printed by gotext`);
  assert.deepEqual(problems, []);
  t.diagnostic(`${Object.keys(texts).length} texts compared with ${goVersion}`);
});

test('every GoText key is compared with Go', () => {
  const seen = new Set<string>();
  const g = watched(GoText, seen);
  for (const ours of EXPECTED.values()) ours(g);
  assert.deepEqual(
    leafPaths(GoText).filter((path) => !seen.has(path)),
    [],
    'GoText keys no entry of EXPECTED reaches: add a provocation to test/interop/go/cmd/gotext and an entry here',
  );
});

test('each expected difference names a checked text and changes it', () => {
  for (const [name, newer] of Object.entries(NEWER_GO)) {
    const ours = EXPECTED.get(name);
    assert.ok(ours, `${name} is not in EXPECTED`);
    const go119 = ours(GoText);
    assert.notEqual(newer.newer(go119), go119, `${name}: ${newer.why} — the rewrite does not apply to ${q(go119)}`);
  }
});

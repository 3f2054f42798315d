/**
 * The model's fast paths must be indistinguishable from the exact code they shortcut: time parsing
 * and formatting, image reference parsing (checked against the original split-based parser, kept
 * here as the reference) and the encoders that concatenate pre-quoted keys (checked against the
 * original `goObject`-based ones). Property tests over valid and near-valid inputs.
 */
import { strconvQuote } from '../../codec/go-strconv.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GoTime, formatGeneral, parseRFC3339, parseRFC3339Fast, parseRFC3339General } from './go-time.js';
import { encodeImageRef, parseImageRef, ZERO_IMAGE_REF, type ImageRef } from './image.js';
import { InvalidImageRefError, TimeParseError } from './errors.js';
import { goBool as encBool, goInt as encInt, goMap as encMap, goObject, goQuote, goSlice as encSlice, omitEmptyString } from './go-encode.js';
import { BUILD_DATE_LABEL, CREATED_LABEL, encodeImageInfo, encodeImageLabels, type ImageInfo, type ImageLabels } from './image-info.js';
import { encodeContainer, type Container } from './container.js';
import {
  encodeControllerStatus,
  ZERO_CONTROLLER_STATUS,
  ZERO_ROLLOUT_STATUS,
  type ControllerStatus,
  type RolloutStatus,
} from './controller-status.js';
import { encodeResourceId, ResourceId } from './resource-id.js';

type Outcome = { ok: true; parts: [number, number, number] } | { ok: false; cls: string; message: string };

function timeOutcome(f: () => GoTime): Outcome {
  try {
    const t = f();
    return { ok: true, parts: [t.unixSeconds, t.nanos, t.offsetSeconds] };
  } catch (err) {
    assert.ok(err instanceof TimeParseError, `unexpected error class: ${String(err)}`);
    return { ok: false, cls: err.constructor.name, message: err.message };
  }
}

/** Equal outcomes, with `Object.is` on the numbers (a `-0` offset must stay `-0`). */
function assertSameTime(actual: Outcome, expected: Outcome, input: string): void {
  assert.deepEqual(actual, expected, JSON.stringify(input));
  if (actual.ok && expected.ok) {
    for (let i = 0; i < 3; i++) assert.ok(Object.is(actual.parts[i], expected.parts[i]), `${JSON.stringify(input)} part ${i}`);
  }
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Mostly `usual`, sometimes `odd`: each field is usually valid so that whole strings often are. */
function mostly(usual: fc.Arbitrary<string>, odd: fc.Arbitrary<string>, oddWeight = 1): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: usual, weight: 30 }, { arbitrary: odd, weight: oddWeight });
}

const two = (min: number, max: number): fc.Arbitrary<string> => fc.integer({ min, max }).map((n) => pad(n, 2));

/** RFC 3339 text with every field near or across its range limits, in the usual and unusual spellings. */
const rfc3339ish: fc.Arbitrary<string> = fc
  .record({
    year: mostly(fc.integer({ min: 0, max: 9999 }).map((y) => pad(y, 4)), fc.constantFrom('0000', '1970', '2000', '2100', '2400', '999', '10000', '-001', '2O20')),
    month: mostly(two(1, 12), fc.constantFrom('00', '13', '1', '9', '001', 'ab')),
    day: mostly(two(1, 28), fc.oneof(two(29, 32), fc.constantFrom('00', '1', '')), 6),
    hour: mostly(two(0, 23), fc.oneof(fc.integer({ min: 0, max: 9 }).map(String), fc.constantFrom('24', '25', '99', '123')), 3),
    min: mostly(two(0, 59), fc.constantFrom('5', '60', '61')),
    sec: mostly(two(0, 59), fc.constantFrom('5', '60', '61')),
    frac: fc.oneof(
      { arbitrary: fc.constant(''), weight: 10 },
      { arbitrary: fc.tuple(fc.constantFrom('.', '.', '.', ','), fc.stringMatching(/^[0-9]{0,14}$/)).map(([sep, digits]) => sep + digits), weight: 10 },
      { arbitrary: fc.constantFrom('.', '.5', '.000000000', '.1234567891', '.100', '.x'), weight: 2 },
    ),
    zone: fc.oneof(
      { arbitrary: fc.constant('Z'), weight: 10 },
      { arbitrary: fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 26 }), fc.integer({ min: 0, max: 62 })).map(([s, h, m]) => `${s}${pad(h, 2)}:${pad(m, 2)}`), weight: 10 },
      {
        arbitrary: fc.constantFrom('', 'z', '+0100', '+01:0', '+1:00', '-00:00', '+24:60', '+25:00', '+00:61', '*01:00', 'Zjunk', 'Z ', '+01:00x', '+a1:00', '+01:a0'),
        weight: 3,
      },
    ),
    sepDate: mostly(fc.constant('-'), fc.constantFrom('/', '')),
    sepT: mostly(fc.constant('T'), fc.constantFrom('t', ' ', '')),
    sepTime: mostly(fc.constant(':'), fc.constantFrom('.', '')),
  })
  .map((p) => `${p.year}${p.sepDate}${p.month}-${p.day}${p.sepT}${p.hour}${p.sepTime}${p.min}:${p.sec}${p.frac}${p.zone}`);

/** One random edit (insert, delete, replace) with characters the parsers care about. */
const mutated: fc.Arbitrary<string> = fc
  .tuple(rfc3339ish, fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom('0', '9', '-', ':', 'T', 'Z', '.', ',', '+', '"', 'é', '\u0001', ' '))
  .map(([s, at, op, ch]) => {
    const i = at % (s.length + 1);
    if (op === 'insert') return s.slice(0, i) + ch + s.slice(i);
    if (op === 'delete') return s.slice(0, i) + s.slice(i + 1);
    return s.slice(0, i) + ch + s.slice(i + 1);
  });

const timeText = fc.oneof(rfc3339ish, mutated, fc.string({ maxLength: 30 }));

test('property: RFC 3339 parsing with the fast path equals the general parser (values, -0, errors)', () => {
  const seen = { fast: 0, generalOnly: 0, errors: 0 };
  fc.assert(
    fc.property(timeText, (s) => {
      const general = timeOutcome(() => parseRFC3339General(s, false));
      assertSameTime(timeOutcome(() => GoTime.parse(s)), general, s);
      assertSameTime(timeOutcome(() => parseRFC3339(s, false)), general, s);
      // The fast path alone never accepts what the general parser refuses.
      const fast = parseRFC3339Fast(s, 0, s.length);
      if (fast !== undefined) assertSameTime(timeOutcome(() => fast), general, s);
      seen[fast !== undefined ? 'fast' : general.ok ? 'generalOnly' : 'errors']++;
    }),
    { numRuns: 30000 },
  );
  // The generators reach all three outcomes often enough for the comparison to mean something.
  assert.ok(seen.fast > 1000 && seen.generalOnly > 300 && seen.errors > 1000, JSON.stringify(seen));
});

test('property: quoted (Go 1.19 UnmarshalJSON) parsing with the fast path equals the general parser', () => {
  const quotedText = fc.oneof(
    timeText.map((s) => JSON.stringify(s)),
    timeText.map((s) => `"${s}`),
    timeText.map((s) => `${s}"`),
    timeText,
    fc.constantFrom('""', '"', 'null', '5', '"2020-01-01T00:00:00Z""', '""2020-01-01T00:00:00Z"'),
  );
  let accepted = 0;
  fc.assert(
    fc.property(quotedText, (s) => {
      const general = timeOutcome(() => parseRFC3339General(s, true));
      assertSameTime(timeOutcome(() => parseRFC3339(s, true)), general, s);
      if (general.ok) accepted++;
    }),
    { numRuns: 20000 },
  );
  assert.ok(accepted > 300, String(accepted));
});

test('fast parsing covers the usual forms (so the property above exercises it)', () => {
  for (const s of ['2020-04-28T12:00:00.001001Z', '2020-05-31T12:00:00Z', '2019-02-14T10:00:00.5+01:00', '0001-01-01T00:00:00Z', '2016-02-29T23:59:59.999999999-05:30']) {
    const fast = parseRFC3339Fast(s, 0, s.length);
    assert.ok(fast !== undefined, s);
    assert.equal(fast.format(), s);
  }
  assert.ok(Object.is(GoTime.parse('2019-01-01T00:00:00-00:00').offsetSeconds, parseRFC3339General('2019-01-01T00:00:00-00:00', false).offsetSeconds));
});

/** A `GoTime` from parts that cover normal times, wide and signed years, odd offsets and fractions with trailing zeros. */
const goTimes: fc.Arbitrary<GoTime> = fc.oneof(
  fc
    .tuple(
      fc.oneof(fc.integer({ min: -62135596800 - 86400 * 800, max: 253402300799 + 86400 * 800 }), fc.integer({ min: -1e15, max: 1e15 }), fc.constantFrom(-62167219200, -62167219201, 253402300799, 253402300800, 0, -1)),
      fc.oneof(fc.integer({ min: 0, max: 999999999 }), fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 8 })).map(([d, k]) => Math.min(d * 10 ** k, 999999999)), fc.constantFrom(0, 1, 10, 100000000, 999999999, 1e9, -1)),
      fc.oneof(fc.integer({ min: -14 * 3600, max: 14 * 3600 }), fc.integer({ min: -1e7, max: 1e7 }), fc.constantFrom(0, -0, 59, -59, 60, -60, 3599, 5999 * 60, 6000 * 60, -6000 * 60, 100 * 3600)),
    )
    .map(([sec, nanos, offset]) => GoTime.fromUnix(sec, nanos, offset)),
  fc.date({ noInvalidDate: true }).map((d) => GoTime.fromDate(d)),
  fc
    .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 86399 }), fc.integer({ min: 0, max: 999999999 }), fc.integer({ min: -24 * 60, max: 24 * 60 }))
    .map(([y, mo, d, s, n, zoneMin]) => GoTime.fromCivil(y, mo, d, 0, 0, s, n, zoneMin * 60)),
);

test('property: time formatting with digit tables equals the general formatter', () => {
  fc.assert(
    fc.property(goTimes, (t) => {
      assert.equal(t.format(), formatGeneral(t));
      const u = t.utc();
      assert.equal(u.format(), formatGeneral(u));
    }),
    { numRuns: 30000 },
  );
  for (const t of [GoTime.ZERO, GoTime.fromUnix(1e300, 0, 0), GoTime.fromUnix(-1e300, 5, 3600), GoTime.fromUnix(0, 0, 1e300), GoTime.fromCivil(0, 1, 1, 0, 30, 0, 0, 3600).utc()]) {
    assert.equal(t.format(), formatGeneral(t));
  }
});

test('property: formatting then parsing gives the same instant and offset (years 0…9999)', () => {
  let checked = 0;
  fc.assert(
    fc.property(goTimes, (t) => {
      const y = t.year();
      if (y < 0 || y > 9999 || Math.abs(t.offsetSeconds) >= 24 * 3600 || t.offsetSeconds % 60 !== 0) return;
      checked++;
      const back = GoTime.parse(t.format());
      assert.ok(back.equal(t), t.format());
      assert.ok(back.offsetSeconds === t.offsetSeconds, t.format()); // -0 and 0 both write Z
    }),
    { numRuns: 10000 },
  );
  assert.ok(checked > 2000, String(checked));
});

// --- image references -------------------------------------------------------------------------


/** The split-based `image.ParseRef` this package used before its `indexOf` rewrite: the reference. */
function parseImageRefReference(s: string): ImageRef {
  const MALFORMED = 'expected image name as either <image>:<tag> or just <image>: invalid image ID';
  const BLANK = 'blank image name: invalid image ID';
  const COMPONENT = '([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
  const DOMAIN = new RegExp(`localhost|(${COMPONENT}([.]${COMPONENT})+)(:[0-9]+)?`);
  const prefixed = (msg: string, partial: ImageRef = ZERO_IMAGE_REF): InvalidImageRefError =>
    new InvalidImageRefError(`parsing ${strconvQuote(s)}: ${msg}`, partial);
  if (s === '') throw prefixed(BLANK);
  if (s.startsWith('/') || s.endsWith('/')) throw prefixed(MALFORMED);
  const elements = s.split('/');
  let domain = '';
  let image: string;
  if (elements.length === 1) {
    image = s;
  } else if (elements.length === 2) {
    if (DOMAIN.test(elements[0]!)) {
      domain = elements[0]!;
      image = elements[1]!;
    } else {
      image = s;
    }
  } else {
    domain = elements[0]!;
    image = elements.slice(1).join('/');
  }
  let sha = '';
  const at = image.indexOf('@sha256:');
  if (at >= 0) {
    const left = image.slice(0, at);
    const right = image.slice(at + '@sha256:'.length);
    if (left === '' || right === '') throw prefixed(MALFORMED, { domain, image, tag: '', sha: '' });
    image = left;
    sha = right;
  }
  let tag = '';
  const parts = image.split(':');
  if (parts.length === 2) {
    if (parts[0] === '' || parts[1] === '') throw prefixed(MALFORMED, { domain, image, tag: '', sha });
    image = parts[0]!;
    tag = parts[1]!;
  } else if (parts.length > 2) {
    throw new InvalidImageRefError(MALFORMED, { domain, image, tag: '', sha });
  }
  return { domain, image, tag, sha };
}

type RefOutcome = { ok: true; ref: ImageRef } | { ok: false; message: string; partial: unknown; code: string };

function refOutcome(f: () => ImageRef): RefOutcome {
  try {
    return { ok: true, ref: f() };
  } catch (err) {
    assert.ok(err instanceof InvalidImageRefError, `unexpected error class: ${String(err)}`);
    return { ok: false, message: err.message, partial: err.partial, code: err.code };
  }
}

test('property: parseImageRef equals the split-based reference parser (results, errors, partial refs)', () => {
  const piece = fc.constantFrom(
    'a', 'b', 'Z', '0', '9', '-', '_', '.', '/', '/', ':', ':', '@', '@sha256:', '@sha256:', 'sha256', 'localhost', 'example.com', 'quay.io', ':5000',
    'docker.io', 'index.docker.io', 'library', 'org', 'app', '1.0.2', 'latest', 'é', '"', ' ', 'abcdef0123456789',
  );
  const refs = fc.oneof(
    fc.array(piece, { maxLength: 12 }).map((ps) => ps.join('')),
    fc
      .tuple(
        fc.constantFrom('', 'docker.io/', 'localhost/', 'localhost:5000/', 'quay.io/', 'a-b.c/', 'org/', 'x/y/'),
        fc.constantFrom('app', 'org/app', 'a/b/c', 'app-0', ''),
        fc.constantFrom('', ':1.0.2', ':latest', ':', ':a:b', '@sha256:abc', '@sha256:', ':1@sha256:abc', '@sha256:abc:def'),
      )
      .map(([d, i, t]) => d + i + t),
    fc.string({ maxLength: 20 }),
  );
  fc.assert(
    fc.property(refs, (s) => {
      assert.deepEqual(refOutcome(() => parseImageRef(s)), refOutcome(() => parseImageRefReference(s)), JSON.stringify(s));
    }),
    { numRuns: 30000 },
  );
});

// --- encoders with pre-quoted keys --------------------------------------------------------------

/** The `goObject`-based encoders as they were: the reference for the hand-concatenated ones. */
const reference = {
  utcMember(key: string, t: GoTime): readonly [string, string] | undefined {
    return t.isZero() ? undefined : [key, goQuote(t.utc().format())];
  },
  labels(l: ImageLabels): string {
    return goObject([reference.utcMember(BUILD_DATE_LABEL, l.buildDate), reference.utcMember(CREATED_LABEL, l.created)]);
  },
  info(i: ImageInfo): string {
    return goObject([
      ['ID', encodeImageRef(i.id)],
      omitEmptyString('Digest', i.digest),
      omitEmptyString('ImageID', i.imageId),
      ['Labels', reference.labels(i.labels)],
      reference.utcMember('CreatedAt', i.createdAt),
      reference.utcMember('LastFetched', i.lastFetched),
    ]);
  },
  container(c: Container): string {
    const omitZero = (key: string, n: number): readonly [string, string] | undefined => (n === 0 ? undefined : [key, encInt(n)]);
    return goObject([
      omitEmptyString('Name', c.name),
      ['Current', reference.info(c.current)],
      ['LatestFiltered', reference.info(c.latestFiltered)],
      c.available === null || c.available.length === 0 ? undefined : ['Available', encSlice(c.available, reference.info)],
      omitEmptyString('AvailableError', c.availableError),
      omitZero('AvailableImagesCount', c.availableImagesCount),
      omitZero('NewAvailableImagesCount', c.newAvailableImagesCount),
      omitZero('FilteredImagesCount', c.filteredImagesCount),
      omitZero('NewFilteredImagesCount', c.newFilteredImagesCount),
    ]);
  },
  rollout(r: RolloutStatus): string {
    return goObject([
      ['Desired', encInt(r.desired)],
      ['Updated', encInt(r.updated)],
      ['Ready', encInt(r.ready)],
      ['Available', encInt(r.available)],
      ['Outdated', encInt(r.outdated)],
      ['Messages', encSlice(r.messages, goQuote)],
    ]);
  },
  status(s: ControllerStatus): string {
    return goObject([
      ['ID', encodeResourceId(s.id)],
      ['Containers', encSlice(s.containers, reference.container)],
      ['ReadOnly', goQuote(s.readOnly)],
      ['Status', goQuote(s.status)],
      ['Rollout', reference.rollout(s.rollout)],
      ['SyncError', goQuote(s.syncError)],
      ['Antecedent', encodeResourceId(s.antecedent)],
      ['Labels', encMap(s.labels, goQuote)],
      ['Automated', encBool(s.automated)],
      ['Locked', encBool(s.locked)],
      ['Ignore', encBool(s.ignore)],
      ['Policies', encMap(s.policies, goQuote)],
    ]);
  },
};

test('property: the hand-concatenated encoders equal the goObject-based ones', () => {
  const text = fc.oneof(fc.constant(''), fc.constantFrom('a', '<all>', 'é', '"q"', '\u2028', 'x\ud800'), fc.string({ maxLength: 8 }));
  const time = fc.oneof(fc.constant(GoTime.ZERO), goTimes);
  const count = fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 1000 }));
  const ref = fc.constantFrom(ZERO_IMAGE_REF, parseImageRef('docker.io/org/app:1.0'), parseImageRef('quay.io/a/b@sha256:abc'), parseImageRef('x<y>:t&'));
  const labels = fc.record({ buildDate: time, created: time });
  const info = fc.record({ id: ref, digest: text, imageId: text, labels, createdAt: time, lastFetched: time });
  const cont = fc.record({
    name: text,
    current: info,
    latestFiltered: info,
    available: fc.oneof(fc.constant(null), fc.array(info, { maxLength: 3 })),
    availableError: text,
    availableImagesCount: count,
    newAvailableImagesCount: count,
    filteredImagesCount: count,
    newFilteredImagesCount: count,
  });
  const stringMap = fc.oneof(fc.constant(null), fc.array(fc.tuple(text, text), { maxLength: 3 }).map((es) => new Map(es)));
  const status = fc.record({
    id: fc.constantFrom(ResourceId.ZERO, ResourceId.parse('default:deployment/app'), ResourceId.parse('ns/legacy')),
    containers: fc.oneof(fc.constant(null), fc.array(cont, { maxLength: 2 })),
    readOnly: text,
    status: text,
    rollout: fc.record({ desired: count, updated: count, ready: count, available: count, outdated: count, messages: fc.oneof(fc.constant(null), fc.array(text, { maxLength: 2 })) }),
    syncError: text,
    antecedent: fc.constantFrom(ResourceId.ZERO, ResourceId.parse('flux:helmrelease/x')),
    labels: stringMap,
    automated: fc.boolean(),
    locked: fc.boolean(),
    ignore: fc.boolean(),
    policies: stringMap,
  });
  fc.assert(
    fc.property(status, (s) => {
      assert.equal(encodeControllerStatus(s), reference.status(s));
      for (const c of s.containers ?? []) assert.equal(encodeContainer(c), reference.container(c));
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(info, (i) => {
      assert.equal(encodeImageInfo(i), reference.info(i));
      assert.equal(encodeImageLabels(i.labels), reference.labels(i.labels));
    }),
    { numRuns: 5000 },
  );
  // Encoding errors surface the same way (first failing member in Go's field order).
  const bad = { ...ZERO_CONTROLLER_STATUS, rollout: { ...ZERO_ROLLOUT_STATUS, updated: 1.5, outdated: 2.5 } };
  assert.throws(() => encodeControllerStatus(bad), { message: 'not an integer: 1.5' });
  assert.throws(() => reference.status(bad), { message: 'not an integer: 1.5' });
});

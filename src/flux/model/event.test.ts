import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvent, encodeEvent, ZERO_EVENT } from './event.js';
import { GoTime } from './go-time.js';
import { EventDecodeError, ModelEncodeError, UnexpectedEndError } from './errors.js';

const roundTrip = (text: string): string => encodeEvent(decodeEvent(JSON.parse(text)));

test('docs/types.md §14 examples round-trip, times in their own offset', () => {
  for (const text of [
    '{"id":0,"serviceIDs":["default:deployment/a"],"type":"sync","startedAt":"2020-05-01T12:00:00.123+02:00","endedAt":"2020-05-01T12:00:00.123+02:00","logLevel":"info","metadata":{"commits":[{"revision":"abc","message":"m"}],"includes":{"other":true}}}',
    '{"id":0,"serviceIDs":["default:deployment/app"],"type":"release","startedAt":"2020-01-01T00:00:00Z","endedAt":"2020-01-01T00:00:00Z","logLevel":"info","metadata":{"Revision":"abc123","result":{"default:deployment/app":{"Status":"success","PerContainer":[{"Container":"app","Current":"quay.io/org/app:v1","Target":"quay.io/org/app:v2"}]}},"spec":{"Type":"releaseImageSpecType","ReleaseImageSpec":{"ServiceSpecs":["default:deployment/app"],"ImageSpec":"quay.io/org/app:v2","Kind":"execute","Excludes":null,"Force":false},"ReleaseContainersSpec":null},"cause":{"Message":"","User":"alice"}}}',
  ]) {
    assert.equal(roundTrip(text), text);
  }
  assert.equal(encodeEvent({ ...ZERO_EVENT, type: 'lock' }), '{"id":0,"serviceIDs":null,"type":"lock","startedAt":"0001-01-01T00:00:00Z","endedAt":"0001-01-01T00:00:00Z","logLevel":""}');
});

test('old sync events gain commits; old release specs gain a Type', () => {
  assert.equal(
    roundTrip('{"type":"sync","metadata":{"revisions":["a"]}}'),
    '{"id":0,"serviceIDs":null,"type":"sync","startedAt":"0001-01-01T00:00:00Z","endedAt":"0001-01-01T00:00:00Z","logLevel":"","metadata":{"revisions":["a"],"commits":[{"revision":"a","message":""}]}}',
  );
  const e = decodeEvent({ type: 'release', metadata: { spec: { Kind: 'plan' } } });
  assert.equal(e.metadata?.kind, 'release');
  if (e.metadata?.kind === 'release') {
    assert.equal(e.metadata.spec.type, 'releaseImageSpecType');
    assert.equal(e.metadata.spec.releaseImageSpec?.kind, 'plan');
  }
  assert.throws(() => decodeEvent({ type: 'release', metadata: { spec: { Type: 'bad' } } }), (err: unknown) => err instanceof EventDecodeError && err.message === 'unknown ReleaseSpec type');
});

test('decode errors of flux\u2019s own and Go 1.19\u2019s', () => {
  assert.throws(() => decodeEvent({}), { message: 'Event type is empty' });
  for (const type of ['sync', 'commit', 'release', 'autorelease']) assert.throws(() => decodeEvent({ type }), UnexpectedEndError);
  assert.throws(() => decodeEvent({ type: 'x', metadata: 5 }), { message: 'json: cannot unmarshal number into Go value of type event.UnknownEventMetadata' });
  // Go 1.19's Time.UnmarshalJSON parses the quoted JSON text.
  assert.throws(() => decodeEvent({ type: 'x', startedAt: 'bad' }), { message: 'parsing time "\\"bad\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "bad\\"" as "2006"' });
  assert.throws(() => decodeEvent({ type: 'x', endedAt: 5 }), { message: 'parsing time "5" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "5" as "\\""' });
  // Go 1.19 names the anonymous wire struct and no embedded struct in type errors.
  assert.throws(() => decodeEvent({ type: 'x', id: '1' }), { message: 'json: cannot unmarshal string into Go struct field .id of type event.EventID' });
  assert.throws(() => decodeEvent({ type: 'autorelease', metadata: { Revision: 5 } }), {
    message: 'json: cannot unmarshal number into Go struct field AutoReleaseEventMetadata.Revision of type string',
  });
  assert.throws(() => decodeEvent({ type: 'release', metadata: { spec: { Kind: 5 } } }), {
    message: 'json: cannot unmarshal number into Go struct field ReleaseEventMetadata.spec of type update.ReleaseKind',
  });
});

test('untyped metadata keeps Go\u2019s float64 text and key order; null metadata stays', () => {
  assert.equal(
    roundTrip('{"type":"other","metadata":{"n":100000000000000000000,"f":1.0,"e":1E-7,"z":-0,"o":{"2":1,"10":2,"a":null}}}'),
    '{"id":0,"serviceIDs":null,"type":"other","startedAt":"0001-01-01T00:00:00Z","endedAt":"0001-01-01T00:00:00Z","logLevel":"","metadata":{"e":1e-7,"f":1,"n":100000000000000000000,"o":{"10":2,"2":1,"a":null},"z":-0}}',
  );
  assert.match(roundTrip('{"type":"other","metadata":null}'), /"metadata":null}$/);
  assert.doesNotMatch(roundTrip('{"type":"other"}'), /metadata/);
});

test('times outside years 0..9999 cannot be encoded, as in Go', () => {
  assert.throws(() => encodeEvent({ ...ZERO_EVENT, type: 'x', startedAt: GoTime.fromCivil(10000, 1, 1) }), ModelEncodeError);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GoTime, parseRFC3339, civilFromDays, daysFromCivil } from './go-time.js';
import { TimeParseError } from './errors.js';

test('formats RFC 3339 with trimmed nanoseconds in its own offset', () => {
  assert.equal(GoTime.fromCivil(2019, 2, 14, 10, 0, 0, 500000000, 3600).format(), '2019-02-14T10:00:00.5+01:00');
  assert.equal(GoTime.fromCivil(2019, 2, 14, 10, 0, 0, 500000000, 3600).utc().format(), '2019-02-14T09:00:00.5Z');
  assert.equal(GoTime.fromCivil(2019, 2, 14, 10, 0, 0, 123456789).format(), '2019-02-14T10:00:00.123456789Z');
  assert.equal(GoTime.fromCivil(2000, 1, 1, 0, 0, 0, 100).format(), '2000-01-01T00:00:00.0000001Z');
  assert.equal(GoTime.fromCivil(2021, 12, 31, 23, 59, 59, 0, -(5 * 3600 + 30 * 60)).format(), '2021-12-31T23:59:59-05:30');
  assert.equal(GoTime.ZERO.format(), '0001-01-01T00:00:00Z');
  assert.equal(GoTime.fromCivil(0, 1, 1, 0, 30, 0, 0, 3600).utc().format(), '-0001-12-31T23:30:00Z');
  assert.equal(GoTime.fromCivil(9999, 12, 31, 23, 59, 59, 0, -3600).utc().format(), '10000-01-01T00:59:59Z');
});

test('the zero instant is zero in any offset', () => {
  assert.ok(GoTime.ZERO.isZero());
  assert.ok(GoTime.parse('0001-01-01T01:00:00+01:00').isZero());
  assert.ok(!GoTime.parse('0001-01-01T00:00:00.000000001Z').isZero());
});

test('parses what Go parses: one-digit hour, comma fraction, -00:00, long fractions truncated', () => {
  assert.equal(GoTime.parse('2016-02-29T5:04:05Z').format(), '2016-02-29T05:04:05Z');
  assert.equal(GoTime.parse('2019-01-01T00:00:00,5-00:00').format(), '2019-01-01T00:00:00.5Z');
  assert.equal(GoTime.parse('2019-01-01T00:00:00.1234567891234Z').format(), '2019-01-01T00:00:00.123456789Z');
  assert.equal(GoTime.parse('2020-05-01T12:00:00.123+05:45').format(), '2020-05-01T12:00:00.123+05:45');
  assert.ok(GoTime.parse('2020-05-01T12:00:00+02:00').equal(GoTime.parse('2020-05-01T10:00:00Z')));
});

test('refuses what Go refuses, with Go\u2019s text', () => {
  const cases: Array<[string, string]> = [
    ['yesterday', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
    ['2019-02-30T00:00:00Z', 'parsing time "2019-02-30T00:00:00Z": day out of range'],
    ['2019-01-01T24:00:00Z', 'parsing time "2019-01-01T24:00:00Z": hour out of range'],
    ['2019-01-01T00:00:60Z', 'parsing time "2019-01-01T00:00:60Z": second out of range'],
    ['2019-01-01T00:00:00+0100', 'parsing time "2019-01-01T00:00:00+0100" as "2006-01-02T15:04:05Z07:00": cannot parse "+0100" as "Z07:00"'],
    ['2019-01-01T00:00:00Zjunk', 'parsing time "2019-01-01T00:00:00Zjunk": extra text: "junk"'],
    ['é', 'parsing time "\\xc3\\xa9" as "2006-01-02T15:04:05Z07:00": cannot parse "\\xc3\\xa9" as "2006"'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => GoTime.parse(input), (err: unknown) => err instanceof TimeParseError && err.message === message, input);
  }
});

test('Go 1.19 Time.UnmarshalJSON layout includes the JSON quotes', () => {
  assert.equal(parseRFC3339('"2020-01-01T00:00:00Z"', true).format(), '2020-01-01T00:00:00Z');
  assert.throws(() => parseRFC3339('5', true), { message: 'parsing time "5" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "5" as "\\""' });
  assert.throws(() => parseRFC3339('"bad"', true), { message: 'parsing time "\\"bad\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "bad\\"" as "2006"' });
  assert.throws(() => parseRFC3339('"2020-01-01T00:00:00Z', true), { message: 'parsing time "\\"2020-01-01T00:00:00Z" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "" as "\\""' });
});

test('civil date conversions agree with Date over a wide range', () => {
  for (let days = -800000; days <= 3000000; days += 997) {
    const [y, m, d] = civilFromDays(days);
    assert.equal(daysFromCivil(y, m, d), days);
    if (y >= 100) {
      const date = new Date(days * 86400000);
      assert.deepEqual([y, m, d], [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]);
    }
  }
});

test('Date conversion keeps milliseconds', () => {
  const t = GoTime.fromDate(new Date('2020-01-02T03:04:05.678Z'));
  assert.equal(t.format(), '2020-01-02T03:04:05.678Z');
  assert.equal(t.toDate().toISOString(), '2020-01-02T03:04:05.678Z');
  assert.equal(GoTime.fromDate(new Date(-1)).format(), '1969-12-31T23:59:59.999Z');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImageInfo, decodeImageLabels, encodeImageInfo, encodeImageLabels, imageInfo, ZERO_IMAGE_INFO } from './image-info.js';
import { parseImageRef } from './image.js';
import { GoTime } from './go-time.js';
import { LabelTimestampFormatError, TimeParseError } from './errors.js';

test('zero Info and a full Info (docs/types.md §4.2)', () => {
  assert.equal(encodeImageInfo(ZERO_IMAGE_INFO), '{"ID":"","Labels":{}}');
  const t = GoTime.parse('2019-02-14T10:00:00.5+01:00');
  const info = imageInfo({
    id: parseImageRef('quay.io/weaveworks/helloworld:master-a000001'),
    digest: 'sha256:abc',
    imageId: 'sha256:def',
    labels: { buildDate: GoTime.ZERO, created: t },
    createdAt: t,
    lastFetched: GoTime.parse('2019-02-14T10:00:00.5Z'),
  });
  assert.equal(
    encodeImageInfo(info),
    '{"ID":"quay.io/weaveworks/helloworld:master-a000001","Digest":"sha256:abc","ImageID":"sha256:def","Labels":{"org.opencontainers.image.created":"2019-02-14T09:00:00.5Z"},"CreatedAt":"2019-02-14T09:00:00.5Z","LastFetched":"2019-02-14T10:00:00.5Z"}',
  );
});

test('decoding stops silently at a bad ID or Labels, keeping what came before', () => {
  assert.equal(encodeImageInfo(decodeImageInfo({ ID: '', Digest: 'x', CreatedAt: '2019-01-01T00:00:00Z' })), '{"ID":"","Labels":{}}');
  assert.equal(encodeImageInfo(decodeImageInfo({ CreatedAt: '2019-01-01T00:00:00Z', ID: '' })), '{"ID":"","Labels":{},"CreatedAt":"2019-01-01T00:00:00Z"}');
  // Go keeps what ParseRef returned with its error.
  assert.equal(encodeImageInfo(decodeImageInfo({ ID: 'a:b:c', Digest: 'lost' })), '{"ID":"a:b:c","Labels":{}}');
  assert.equal(encodeImageInfo(decodeImageInfo({ Digest: 5, imageid: 'i', ID: 7, LastFetched: 'lost' })), '{"ID":"","ImageID":"i","Labels":{}}');
});

test('a bad CreatedAt or LastFetched fails the decode with Go\u2019s time error', () => {
  assert.throws(() => decodeImageInfo({ CreatedAt: 'yesterday' }), (err: unknown) => err instanceof TimeParseError && err.message === 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"');
  assert.throws(() => decodeImageInfo({ CreatedAt: '2019-01-01T00:00:00Z', lastfetched: 'x' }), TimeParseError);
});

test('labels: zero times omitted, shape errors ignored, bad timestamps reported together', () => {
  assert.equal(encodeImageLabels(decodeImageLabels(5)), '{}');
  assert.equal(encodeImageLabels(decodeImageLabels({ 'ORG.LABEL-SCHEMA.BUILD-DATE': '2019-01-01T00:00:00+01:00' })), '{"org.label-schema.build-date":"2018-12-31T23:00:00Z"}');
  assert.equal(encodeImageLabels(decodeImageLabels({ 'org.opencontainers.image.created': '0001-01-01T00:00:00Z' })), '{}');
  assert.throws(
    () => decodeImageLabels({ 'org.opencontainers.image.created': 'y', 'org.label-schema.build-date': 'x' }),
    (err: unknown) =>
      err instanceof LabelTimestampFormatError &&
      err.message ===
        'failed to parse 2 timestamp label(s) as RFC3339 (org.label-schema.build-date, org.opencontainers.image.created); ask the repository administrator to correct this as it conflicts with the spec',
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeListImagesOptions, decodeListServicesOptions, encodeListImagesOptions, encodeListServicesOptions, ZERO_LIST_IMAGES_OPTIONS } from './options.js';
import { decodeBytes, encodeBytes } from './export.js';

test('options (docs/types.md §12)', () => {
  assert.equal(encodeListImagesOptions({ ...ZERO_LIST_IMAGES_OPTIONS, spec: '<all>' }), '{"Spec":"\\u003call\\u003e","OverrideContainerFields":null,"Namespace":""}');
  const text = '{"Namespace":"","Services":["default:deployment/helloworld"]}';
  assert.equal(encodeListServicesOptions(decodeListServicesOptions(JSON.parse(text))), text);
  assert.equal(encodeListServicesOptions(decodeListServicesOptions({ services: ['ns:Deployment/a', '', null] })), '{"Namespace":"","Services":["ns:deployment/a","",""]}');
  assert.throws(() => decodeListServicesOptions({ Services: ['bad'] }), { message: 'parsing bad: invalid service ID' });
  assert.throws(() => decodeListImagesOptions({ OverrideContainerFields: [1] }), { message: 'json: cannot unmarshal number into Go struct field ListImagesOptions.OverrideContainerFields of type string' });
});

test('Export bytes (docs/types.md §13)', () => {
  assert.equal(encodeBytes(new TextEncoder().encode('---\nkind: Deployment\n')), '"LS0tCmtpbmQ6IERlcGxveW1lbnQK"');
  assert.equal(encodeBytes(null), 'null');
  assert.equal(encodeBytes(new Uint8Array()), '""');
  assert.equal(new TextDecoder().decode(decodeBytes('LS0tCmtpbmQ6IERlcGxveW1lbnQK')!), '---\nkind: Deployment\n');
  assert.equal(decodeBytes(null), null);
  assert.equal(encodeBytes(decodeBytes([104, 105])), '"aGk="');
  assert.throws(() => decodeBytes('LS0-'), { message: 'illegal base64 data at input byte 3' });
  assert.throws(() => decodeBytes(5), { message: 'json: cannot unmarshal number into Go value of type []uint8' });
  assert.throws(() => decodeBytes([256]), { message: 'json: cannot unmarshal number 256 into Go value of type uint8' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiDeprecatedError, ApiNotFoundError, FluxHttpError, HttpDecodeError, HttpRequestError, HttpStatusError, HttpTimeoutError, HttpTransportError, UnauthorizedError } from './errors.js';

test('every HTTP error class has a code of its own', () => {
  const errors = [
    new ApiDeprecatedError(),
    new ApiNotFoundError('/x'),
    new UnauthorizedError(),
    new FluxHttpError('user', 'help', 'msg', 422, '422 Unprocessable Entity'),
    new HttpRequestError(400, 'bad'),
    new HttpStatusError(500, '500 Internal Server Error', 'boom'),
    new HttpDecodeError(200, 'decoding'),
    new HttpTransportError('GET', 'http://x', new Error('refused')),
    new HttpTimeoutError('GET', 'http://x', 5),
  ];
  const codes = errors.map((e) => e.code);
  assert.equal(new Set(codes).size, codes.length, codes.join(' '));
  assert.deepEqual(codes.slice(0, 4), ['FLUXRPC_ERR_API_DEPRECATED', 'FLUXRPC_ERR_API_NOT_FOUND', 'FLUXRPC_ERR_UNAUTHORIZED', 'FLUXRPC_ERR_HTTP_FLUX']);
});

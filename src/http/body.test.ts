/**
 * Reading request bodies under a size limit and a shared memory budget: a body that does not fit
 * is refused (503 `BusyError`), never buffered, and what it held is released; a body that fits
 * stays charged until the response is done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { ByteBudget } from '../runtime/budget.js';
import { readRequestBody } from './body.js';
import { BusyError, HttpRequestError } from './errors.js';
import { errorBody } from './respond.js';

const KiB = 1024;

/** A request whose body the test pushes chunk by chunk (`undefined` ends it). */
function request(headers: Record<string, string> = {}) {
  const socket = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
  const req = new IncomingMessage(socket as unknown as Socket);
  req.headers = headers;
  return { req, push: (chunk: Buffer | undefined) => req.push(chunk ?? null) };
}

/** Something that emits 'close' when the test says the response is done. */
function response() {
  const e = new EventEmitter();
  return Object.assign(e, { closed: false, done: () => e.emit('close') });
}

test('a body that fits is charged while it is read and served, and released when the response closes', async () => {
  const budget = new ByteBudget(100 * KiB);
  const { req, push } = request({ 'content-length': String(10 * KiB) });
  const res = response();
  const reading = readRequestBody(req, 32 * 1024 * KiB, { budget, holdUntil: res });
  for (let i = 0; i < 10; i++) push(Buffer.alloc(KiB, i));
  push(undefined);
  const body = await reading;
  assert.equal(body.length, 10 * KiB);
  assert.equal(body[9 * KiB], 9);
  assert.equal(budget.used, 10 * KiB, 'held at the declared size, not per chunk');
  res.done();
  assert.equal(budget.used, 0);
  assert.equal(budget.peak, 10 * KiB);
});

test('a declared length that does not fit the budget is refused at once with 503 and Retry-After; nothing is charged', async () => {
  const budget = new ByteBudget(100 * KiB);
  budget.charge(60 * KiB); // someone else holds 60 KiB
  const { req } = request({ 'content-length': String(50 * KiB) });
  await assert.rejects(readRequestBody(req, 32 * 1024 * KiB, { budget, retryAfterSeconds: 7 }), (e: unknown) => e instanceof BusyError && e.status === 503 && e.retryAfterSeconds === 7 && e.code === 'FLUXRPC_ERR_BUSY');
  assert.equal(budget.used, 60 * KiB);
  assert.equal(budget.peak, 60 * KiB);
});

test('a body of unknown length that outgrows the budget is refused mid-read; what it held is released and the rest discarded', async () => {
  const budget = new ByteBudget(200 * KiB);
  const { req, push } = request();
  const reading = readRequestBody(req, 32 * 1024 * KiB, { budget });
  const refused = assert.rejects(reading, BusyError);
  for (let i = 0; i < 400; i++) push(Buffer.alloc(KiB));
  push(undefined);
  await refused;
  assert.equal(budget.used, 0);
  assert.ok(budget.peak <= budget.limit, `peak ${budget.peak}`);
  if (!req.readableEnded) await new Promise((r) => req.once('end', r)); // the rest is read and dropped
});

test('concurrent bodies: those that fit are read, the others refused; the budget never holds more than its limit', async () => {
  const budget = new ByteBudget(1024 * KiB);
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const { req, push } = request({ 'content-length': String(310 * KiB) });
      const res = response();
      const reading = readRequestBody(req, 32 * 1024 * KiB, { budget, holdUntil: res }).then(
        (b) => `read ${b.length}`,
        (e: unknown) => (e instanceof BusyError ? 'busy' : String(e)),
      );
      for (let i = 0; i < 31; i++) {
        push(Buffer.alloc(10 * KiB));
        await new Promise((r) => setImmediate(r)); // interleave the readers
      }
      push(undefined);
      return reading;
    }),
  );
  const read = outcomes.filter((o) => o === `read ${310 * KiB}`).length;
  assert.equal(read + outcomes.filter((o) => o === 'busy').length, 10, outcomes.join(', '));
  assert.ok(read >= 1, 'some fit');
  assert.ok(read <= 3, 'at most what the budget holds');
  assert.ok(budget.peak <= budget.limit, `peak ${budget.peak} > limit ${budget.limit}`);
});

test('many tiny chunks are coalesced: held bytes are the buffer, not one socket chunk each', async () => {
  const budget = new ByteBudget(1024 * KiB);
  const { req, push } = request();
  const reading = readRequestBody(req, 32 * 1024 * KiB, { budget });
  for (let i = 0; i < 1000; i++) push(Buffer.from('x'));
  push(undefined);
  assert.equal((await reading).toString(), 'x'.repeat(1000));
  assert.equal(budget.peak, 64 * KiB, 'one 64 KiB buffer');
  assert.equal(budget.used, 0);
});

test('more than maxBytes is 413 whether declared or not, and releases what it held', async () => {
  const budget = new ByteBudget(1024 * KiB);
  await assert.rejects(readRequestBody(request({ 'content-length': '101' }).req, 100, { budget }), (e: unknown) => e instanceof HttpRequestError && e.status === 413);
  const { req, push } = request();
  const reading = readRequestBody(req, 100, { budget });
  push(Buffer.alloc(60));
  push(Buffer.alloc(60));
  push(undefined);
  await assert.rejects(reading, (e: unknown) => e instanceof HttpRequestError && e.status === 413 && e.message === 'http: request body too large');
  assert.equal(budget.used, 0);
});

test("a BusyError's body: text, or a Flux error under JSON negotiation", () => {
  const busy = new BusyError(5);
  const req = { headers: { accept: 'application/json' }, headersDistinct: { accept: ['application/json'] } } as unknown as IncomingMessage;
  const json = JSON.parse(errorBody(req, busy).body) as { type: string; error: string };
  assert.equal(json.type, 'server');
  assert.match(json.error, /memory budget; retry in 5 s/);
  const plain = { headers: {} } as unknown as IncomingMessage;
  assert.equal(errorBody(plain, busy).body, busy.message);
});

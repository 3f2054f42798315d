import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { ClusterError, CoverAllError, FatalError, FluxError, UnavailableError, UpgradeNeededError } from '../../flux/model/index.js';
import { ServerError } from '../../rpc/errors.js';
import { errorBody, statusForFluxError, toFluxError } from '../../http/respond.js';
import { describeError, rebuildError } from './outcome.js';

/** What the HTTP handler answers for `err`, for each Accept header a client may send. */
function answers(err: unknown): string[] {
  const flux = toFluxError(err);
  return [undefined, 'application/json', 'text/plain', 'text/html'].map((accept) => {
    const req = { headers: accept === undefined ? {} : { accept }, headersDistinct: accept === undefined ? {} : { accept: [accept] } } as unknown as IncomingMessage;
    const { contentType, body } = errorBody(req, flux);
    return `${statusForFluxError(flux)} ${contentType}\n${body}`;
  });
}

const cases: [string, unknown, string][] = [
  ['a Flux error of type missing', new FluxError('missing', 'No such job.\n', 'unknown job 7'), 'application_error'],
  ['a Flux error of type server with <html> & quotes', new FluxError('server', 'help "quoted" <b>', 'boom & <bang>'), 'application_error'],
  ['a Flux error without an underlying error', new FluxError('user', 'only help'), 'application_error'],
  ['a Flux error of an unknown type', new FluxError('weird', 'h', 'e'), 'application_error'],
  ['UnavailableError', new UnavailableError(new Error('no daemon is connected for instance prod')), 'unavailable'],
  ['UpgradeNeededError', new UpgradeNeededError(new Error('NotifyChange method not implemented')), 'application_error'],
  ['ClusterError', new ClusterError('cluster unreachable'), 'application_error'],
  ['a Flux error down a cause chain', new Error('outer', { cause: new Error('middle', { cause: new FluxError('missing', 'deep help', 'deep') }) }), 'application_error'],
  ['an RPC error string', new ServerError('rpc: can\'t find method RPCServer.Foo'), 'server_error'],
  ['an empty RPC error string', new ServerError(''), 'server_error'],
  ['a fatal error', new FatalError(new Error('unexpected EOF')), 'fatal'],
  ['a plain error with non-ASCII text', new Error('ошибка: 😀 \u2028 line'), 'error'],
  ['a CoverAllError', new CoverAllError(new Error('covered')), 'application_error'],
  ['a thrown string', 'not an Error', 'error'],
];

for (const [what, err, outcome] of cases) {
  test(`${what}: the forwarded error gives the same HTTP answer as the local one`, () => {
    const d = describeError(err);
    assert.equal(d.outcome, outcome);
    const rebuilt = rebuildError(JSON.parse(JSON.stringify(d.wire)));
    assert.deepEqual(answers(rebuilt), answers(err));
  });
}

test('the rebuilt error keeps its family: Flux errors, UnavailableError, ServerError, FatalError', () => {
  const through = (e: unknown) => rebuildError(JSON.parse(JSON.stringify(describeError(e).wire)));
  assert.ok(through(new UnavailableError('x')) instanceof UnavailableError);
  assert.ok(through(new FluxError('missing', 'h', 'm')) instanceof FluxError);
  assert.ok(through(new ServerError('s')) instanceof ServerError);
  const fatal = through(new FatalError(new Error('gone')));
  assert.ok(fatal instanceof FatalError && fatal.message === 'gone');
  // An UnavailableError whose help differs (another version's text) stays a plain Flux error with that help.
  const odd = rebuildError({ kind: 'flux', type: 'user', help: 'other help', error: 'x', unavailable: true });
  assert.ok(!(odd instanceof UnavailableError) && odd instanceof FluxError && odd.help === 'other help');
});

test('a malformed error description becomes a plain error saying so', () => {
  for (const w of [null, 42, {}, { kind: 'nope' }]) assert.match(rebuildError(w).message, /cannot read/);
  const partial = rebuildError({ kind: 'flux' });
  assert.ok(partial instanceof FluxError && partial.type === '' && partial.message === '');
});

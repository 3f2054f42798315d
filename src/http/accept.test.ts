/**
 * Content negotiation as flux's WriteError does it; the expectations were produced by running
 * flux's own `transport.WriteError` (gddo's ParseAccept) on each set of Accept header lines:
 * `json` = the Flux error as JSON, `help` = text/plain help, `message` = the plain message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateContentType, parseAccept } from './accept.js';
import { injectRequest } from '../../test/fakes/inject.js';
import { writeError } from './respond.js';
import { FluxError } from '../flux/model/flux-error.js';

const GO_VECTORS: [accept: string[], outcome: 'json' | 'help' | 'message'][] = [
  [[], "message"],
  [[""], "message"],
  [["application/json"], "json"],
  [["text/plain"], "help"],
  [["*/*"], "message"],
  [["application/*"], "message"],
  [["text/plain;q=0.5, application/json;q=0.4"], "help"],
  [["text/plain; q=0.5, application/json"], "json"],
  [["application/json; charset=utf-8"], "json"],
  [["application/json;charset=utf-8, text/plain"], "json"],
  [["text/html, text/plain"], "help"],
  [["application/json;q=0, text/plain;q=0"], "json"],
  [["text/plain;q=0, application/json;q=0"], "json"],
  [["Application/JSON"], "message"],
  [["text/plain application/json"], "help"],
  [["text/html", "text/plain"], "help"],
  [["text/html;level=1, text/plain", "application/json"], "json"],
  [["application/json;q=1.5, text/plain"], "json"],
  [["application/json;q=0.9, text/plain;q=0.95"], "help"],
  [["application/json;q=x, text/plain"], "json"],
  [["  text/plain  ,  application/json;q=0.1"], "json"],
  [[",text/plain"], "json"],
  [["text/plain,"], "help"],
  [["application/json;q=0.", "text/plain"], "help"],
  [["", "text/plain"], "message"],
  [["text/plain;q=0.333, application/json;q=0.3330"], "json"]
];

test('error bodies are negotiated exactly as flux\'s WriteError (every vector from Go)', async () => {
  for (const [accept, expected] of GO_VECTORS) {
    const res = await injectRequest((req, res) => writeError(req, res, 404, new FluxError('missing', 'HELP', 'MSG')), { url: '/', headers: { Accept: accept } });
    const outcome = res.body === '{"type":"missing","help":"HELP","error":"MSG"}' ? 'json' : res.body === 'HELP' ? 'help' : res.body === 'MSG' ? 'message' : res.body;
    assert.equal(outcome, expected, JSON.stringify(accept));
    assert.equal(res.headers['content-type'], expected === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
    assert.equal(res.status, 404);
  }
});

test('parseAccept stops a line at the first element it cannot read; lines are independent', () => {
  assert.deepEqual(parseAccept(['text/plain;q=0.5, application/json']), [
    { value: 'text/plain', q: 0.5 },
    { value: 'application/json', q: 1 },
  ]);
  assert.deepEqual(parseAccept(['application/json; charset=utf-8, text/plain']), []);
  assert.deepEqual(parseAccept(['text/html;level=1, text/plain', 'application/json']), [{ value: 'application/json', q: 1 }]);
  assert.deepEqual(parseAccept(['a/b;q=1.25']), [{ value: 'a/b', q: 1.25 }]);
  assert.deepEqual(parseAccept(['a/b;q=2']), []);
  assert.deepEqual(parseAccept(['a/b c/d']), [{ value: 'a/b', q: 1 }]);
});

test('negotiateContentType: preference order breaks ties, "" when nothing listed is offered', () => {
  const prefs = ['application/json', 'text/plain'];
  assert.equal(negotiateContentType(['text/plain, application/json'], prefs), 'application/json');
  assert.equal(negotiateContentType(['text/plain;q=1, application/json;q=0.999'], prefs), 'text/plain');
  assert.equal(negotiateContentType(['*/*'], prefs), '');
  assert.equal(negotiateContentType([';'], prefs), 'application/json');
});

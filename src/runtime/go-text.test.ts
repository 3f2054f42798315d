/**
 * Pins every Go text byte for byte (the interop test checks the same texts against the real Go
 * code). A change here is a change on the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GO_MAX_NESTING_DEPTH, GoText, goQuoteChar } from './go-text.js';

test('net/rpc, jsonrpc and io texts', () => {
  assert.equal(GoText.eof, 'EOF');
  assert.equal(GoText.unexpectedEOF, 'unexpected EOF');
  assert.equal(GoText.shutdown, 'connection is shut down');
  assert.equal(GoText.illFormed('Nodot'), 'rpc: service/method request ill-formed: Nodot');
  assert.equal(GoText.canNotFindService('X.Y'), "rpc: can't find service X.Y");
  assert.equal(GoText.canNotFindMethod('RPCServer.Nope'), "rpc: can't find method RPCServer.Nope");
  assert.equal(GoText.serviceAlreadyDefined('Test'), 'rpc: service already defined: Test');
  assert.equal(GoText.readingBody('json: x'), 'reading body json: x');
  assert.equal(GoText.unspecifiedError, 'unspecified error');
  assert.equal(GoText.missingParams, 'jsonrpc: request body missing params');
  assert.equal(GoText.invalidError('<nil>'), 'invalid error <nil>');
  assert.equal(GoText.badResponseId('string'), 'json: cannot unmarshal string into Go struct field clientResponse.id of type uint64');
  assert.equal(GoText.paramsNotArray('object'), 'json: cannot unmarshal object into Go value of type [1]interface {}');
  assert.equal(GoText.contextDeadlineExceeded, 'context deadline exceeded');
  assert.equal(GoText.notFound, '404 page not found');
  assert.equal(GoText.requestBodyTooLarge, 'http: request body too large');
});

test('encoding/json texts and quoteChar', () => {
  assert.equal(GoText.cannotUnmarshal('string', 'int'), 'json: cannot unmarshal string into Go value of type int');
  assert.equal(GoText.cannotUnmarshalField('string', 'T', 'A.B', 'int'), 'json: cannot unmarshal string into Go struct field T.A.B of type int');
  assert.equal(GoText.invalidCharacter(0x78, GoText.scan.beginningOfValue), "invalid character 'x' looking for beginning of value");
  assert.equal(GoText.invalidCharacter(0x32, GoText.scan.afterTopLevelValue), "invalid character '2' after top-level value");
  assert.equal(GoText.invalidCharacter(0x5b, GoText.scan.exceededMaxDepth), "invalid character '[' exceeded max depth");
  assert.equal(GO_MAX_NESTING_DEPTH, 10000);
  assert.equal(GoText.unexpectedEndOfInput, 'unexpected end of JSON input');
  assert.equal(GoText.unsupportedValue('+Inf'), 'json: unsupported value: +Inf');
  assert.equal(GoText.timeYearOutOfRange, 'json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]');
  const quoted = [0x27, 0x22, 0x5c, 0x0a, 0x07, 0x00, 0x7f, 0x41, 0x80, 0xa0, 0xad, 0xe9].map(goQuoteChar);
  assert.deepEqual(quoted, ["'\\''", `'"'`, "'\\\\'", "'\\n'", "'\\a'", "'\\x00'", "'\\x7f'", "'A'", "'\\u0080'", "'\\u00a0'", "'\\u00ad'", "'é'"]);
});

test('websocket, net/url, flux and semver texts', () => {
  assert.equal(GoText.closeError(1000, ''), 'websocket: close 1000 (normal)');
  assert.equal(GoText.closeError(1011, 'bye'), 'websocket: close 1011 (internal server error): bye');
  assert.equal(GoText.closeError(1012, 'bye'), 'websocket: close 1012: bye');
  assert.equal(GoText.closeError(1015, ''), 'websocket: close 1015 (TLS handshake error)');
  assert.equal(GoText.notWebSocketProtocol, "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header");
  assert.equal(GoText.dialError('ws://h/v11/daemon', 401), 'connecting to websocket ws://h/v11/daemon (http status code = 401)');
  assert.equal(GoText.apiDeprecated, 'API endpoint deprecated');
  assert.equal(GoText.fluxdDeprecated, 'Your fluxd version is deprecated - please upgrade, see https://github.com/weaveworks/flux-adapter');
  assert.equal(GoText.unsupportedScheme('ftp'), 'inferring WS/HTTP endpoints: unsupported scheme ftp');
  assert.equal(GoText.httpStatus('500 Internal Server Error', 'boom'), 'executing HTTP request: 500 Internal Server Error boom');
  assert.equal(GoText.invalidSemicolonSeparator, 'invalid semicolon separator in query');
  assert.equal(GoText.invalidUrlEscape('"%zz"'), 'invalid URL escape "%zz"');
  assert.equal(GoText.blankTag, 'blank tag (if you want latest, explicitly state the tag :latest): invalid image ID');
  assert.equal(GoText.unknownReleaseSpecType, 'unknown ReleaseSpec type');
  assert.equal(GoText.improperConstraint('~~1'), 'improper constraint: ~~1');
  assert.equal(GoText.constraintParserError, 'constraint Parser Error');
});

test('no other file under src/ spells a Go wire text', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');
  const needles = ["'unexpected EOF'", "'connection is shut down'", "rpc: can't find", 'json: cannot unmarshal', 'jsonrpc: request body', 'looking for beginning of value', 'exceeded max depth', "'API endpoint deprecated", 'connecting to websocket ', 'websocket: close ', "'upgrade' token not found", 'context deadline exceeded', 'unexpected end of JSON input', 'Your fluxd version is deprecated'];
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && name !== 'go-text.ts') {
        // Comments may quote a text; code may not.
        const code = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
        for (const n of needles) if (code.includes(n)) offenders.push(`${path.slice(src.length + 1)}: ${n}`);
      }
    }
  };
  walk(src);
  assert.deepEqual(offenders, []);
});

/**
 * Every text a Go peer writes on the wire or shows to a user that fluxrpc must reproduce byte for
 * byte, in one place, grouped by the Go package that produces it. Each is pinned by
 * `go-text.test.ts` and checked against the texts the real Go code produces by
 * `test/interop/go-text.interop.test.ts`.
 *
 * Nothing else in src/ spells one of these texts: code that needs one imports it from here.
 */

/** gorilla/websocket's names for close codes (`CloseError.Error`); 1004, 1012+ have none but 1015. */
const CLOSE_CODE_NAMES: Readonly<Record<number, string>> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1015: 'TLS handshake error',
};

const NAMED_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 0x5c: '\\\\' };

/**
 * encoding/json's `quoteChar`: a byte as `strconv.Quote(string(rune(c)))` in single quotes, as its
 * syntax errors show it (`invalid character 'x' …`).
 */
export function goQuoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return `'"'`;
  if (NAMED_ESCAPES[c] !== undefined) return `'${NAMED_ESCAPES[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  // A byte ≥ 0x80 is read as the rune U+0080…U+00FF; C1 controls, NBSP and soft hyphen are not printable.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

export const GoText = {
  // ---- context, net/url
  /** context.DeadlineExceeded: what a Go daemon's call reports at its RPC timeout. */
  contextDeadlineExceeded: 'context deadline exceeded',
  /** net/http's ServeMux for a path no handler serves. */
  notFound: '404 page not found',
  /** net/http's MaxBytesReader past its limit. */
  requestBodyTooLarge: 'http: request body too large',
  /** net/url: a query with `;` (Go ≥ 1.17). */
  invalidSemicolonSeparator: 'invalid semicolon separator in query',
  /** net/url: a bad `%` escape (`quoted`: the bad escape as Go quotes it). */
  invalidUrlEscape: (quoted: string) => `invalid URL escape ${quoted}`,

  // ---- io
  /** io.EOF. */
  eof: 'EOF',
  /** io.ErrUnexpectedEOF: pending calls when the stream ended cleanly without Close; a value cut short. */
  unexpectedEOF: 'unexpected EOF',

  // ---- net/rpc
  /** rpc.ErrShutdown: calls after the client was closed or failed. */
  shutdown: 'connection is shut down',
  /** Server: `method` without a dot. */
  illFormed: (method: string) => `rpc: service/method request ill-formed: ${method}`,
  canNotFindService: (method: string) => `rpc: can't find service ${method}`,
  canNotFindMethod: (method: string) => `rpc: can't find method ${method}`,
  /** Server.Register of a name already taken. */
  serviceAlreadyDefined: (name: string) => `rpc: service already defined: ${name}`,
  /** Client: the failing call's error when its result does not decode. */
  readingBody: (detail: string) => `reading body ${detail}`,

  // ---- net/rpc/jsonrpc
  /** What the jsonrpc client makes of an empty error string. */
  unspecifiedError: 'unspecified error',
  missingParams: 'jsonrpc: request body missing params',
  /** Client: a response whose `error` is neither null nor a string, or both null. */
  invalidError: (formatted: string) => `invalid error ${formatted}`,
  /** Client: a response id that is not a uint64 (`kind`: e.g. `string`, `number -1`). */
  badResponseId: (kind: string) => `json: cannot unmarshal ${kind} into Go struct field clientResponse.id of type uint64`,
  /** Server: params that are not an array (kind = object, string, number, bool). */
  paramsNotArray: (kind: string) => `json: cannot unmarshal ${kind} into Go value of type [1]interface {}`,

  // ---- encoding/json
  /** A JSON value of the wrong kind for a Go value (`kind`: object, array, string, number, bool). */
  cannotUnmarshal: (kind: string, goType: string) => `json: cannot unmarshal ${kind} into Go value of type ${goType}`,
  /**
   * The same inside a struct field: `struct` is the innermost struct's name, `field` the path of
   * field names joined by dots. Go 1.19's path leaves embedded structs out; Go ≥ 1.24 names them.
   */
  cannotUnmarshalField: (kind: string, struct: string, field: string, goType: string) => `json: cannot unmarshal ${kind} into Go struct field ${struct}.${field} of type ${goType}`,
  /** A syntax error at byte `c` (`context`: e.g. `looking for beginning of value`). */
  invalidCharacter: (c: number, context: string) => `invalid character ${goQuoteChar(c)} ${context}`,
  /** The scanner's contexts for `invalidCharacter`. */
  scan: {
    beginningOfValue: 'looking for beginning of value',
    beginningOfObjectKey: 'looking for beginning of object key string',
    afterObjectKey: 'after object key',
    afterObjectKeyValue: 'after object key:value pair',
    afterArrayElement: 'after array element',
    afterTopLevelValue: 'after top-level value',
    inStringLiteral: 'in string literal',
    inStringEscape: 'in string escape code',
    inNumericLiteral: 'in numeric literal',
    afterDecimalPoint: 'after decimal point in numeric literal',
    inExponent: 'in exponent of numeric literal',
    inUnicodeEscape: 'in \\u hexadecimal character escape',
    /** Inside `true`, `false` or `null`, expecting the letter `next`. */
    inLiteral: (literal: string, next: string) => `in literal ${literal} (expecting '${next}')`,
    /** A value nests deeper than `GO_MAX_NESTING_DEPTH`. */
    exceededMaxDepth: 'exceeded max depth',
  },
  unexpectedEndOfInput: 'unexpected end of JSON input',
  unsupportedValue: (value: string) => `json: unsupported value: ${value}`,
  timeYearOutOfRange: 'json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]',

  // ---- gorilla/websocket (as flux's adapter and server use it)
  /** `CloseError.Error()` for a close frame with `code` and `reason`. */
  closeError: (code: number, reason: string) => {
    const name = CLOSE_CODE_NAMES[code];
    return `websocket: close ${code}${name ? ` (${name})` : ''}${reason ? `: ${reason}` : ''}`;
  },
  /**
   * The error `Upgrader.Upgrade` returns for a plain (non-websocket) request to a websocket route.
   * gorilla's 400 itself says only `Bad Request` (its body is `http.StatusText`).
   */
  notWebSocketProtocol: "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header",

  // ---- flux
  /** pkg/http/websocket.DialErr: the dial got an HTTP answer that was not an upgrade. */
  dialError: (url: string, status: number) => `connecting to websocket ${url} (http status code = ${status})`,
  /** The daemon HTTP API's and the upstream's 410 text for a retired API version. */
  apiDeprecated: 'API endpoint deprecated',
  /** fluxd's `--connect` URL with a scheme other than ws, wss, http, https. */
  unsupportedScheme: (scheme: string) => `inferring WS/HTTP endpoints: unsupported scheme ${scheme}`,
  /** flux's HTTP client for an unexpected status (`statusLine`: e.g. `500 Internal Server Error`). */
  httpStatus: (statusLine: string, body: string) => `executing HTTP request: ${statusLine} ${body}`,
  /** update.ParseImageSpec for a reference without a tag. */
  blankTag: 'blank tag (if you want latest, explicitly state the tag :latest): invalid image ID',
  /** An event's release metadata with an unknown spec type. */
  unknownReleaseSpecType: 'unknown ReleaseSpec type',
  /** Masterminds/semver v3.1.1 constraint parsing. */
  improperConstraint: (text: string) => `improper constraint: ${text}`,
  constraintParserError: 'constraint Parser Error',
  /** fluxd's error when the upstream answers its registration with 410 Gone (it then exits). */
  fluxdDeprecated: 'Your fluxd version is deprecated - please upgrade, see https://github.com/weaveworks/flux-adapter',
} as const;

/** encoding/json's nesting limit (`maxNestingDepth`): deeper values are a syntax error. */
export const GO_MAX_NESTING_DEPTH = 10000;

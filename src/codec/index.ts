/**
 * The codec layer: bytes ⇄ JSON values, as Go's `encoding/json` reads and writes them on an RPC
 * connection. One module per job:
 * - `json-splitter.ts`: the incremental splitter, a byte stream into whole top-level values, with
 *   the bounds a peer cannot cross (bytes held, elements, depth, a first byte that cannot start a
 *   request or a response);
 * - `value-reader.ts`, `sliced-parse.ts`, `time-slice.ts`: values handed on parsed and in order,
 *   large ones parsed in time slices so that no value holds the event loop;
 * - `json-scan.ts`: small scanners over framed JSON bytes;
 * - `go-json.ts`, `go-strconv.ts`: Go's JSON dialect (escapes, ordering of map keys) and `%q`;
 * - `errors.ts`: `CodecError` with a stable code; any codec error ends its connection.
 */
export { JsonStreamSplitter, DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_ELEMENTS, type SplitterOptions } from './json-splitter.js';
export { JsonValueReader, DEFAULT_SLICED_PARSE_BYTES, type ValueReaderOptions, type ValueHandler, type ReadFlow } from './value-reader.js';
export { parseJsonInSlices, type SlicedParseOptions } from './sliced-parse.js';
export { TimeSlicer, SliceStoppedError, DEFAULT_SLICE_MS } from './time-slice.js';
export { CodecError, JsonParseError, type CodecErrorCode } from './errors.js';
export { goStringify, goQuote, toGoJsonText, RawJson } from './go-json.js';

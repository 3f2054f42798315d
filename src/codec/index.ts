export { JsonStreamSplitter, DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_ELEMENTS, type SplitterOptions } from './json-splitter.js';
export { JsonValueReader, DEFAULT_SLICED_PARSE_BYTES, type ValueReaderOptions, type ValueHandler, type ReadFlow } from './value-reader.js';
export { parseJsonInSlices, type SlicedParseOptions } from './sliced-parse.js';
export { TimeSlicer, SliceStoppedError, DEFAULT_SLICE_MS } from './time-slice.js';
export { CodecError, JsonParseError, type CodecErrorCode } from './errors.js';
export { goStringify, goQuote, toGoJsonText, RawJson } from './go-json.js';

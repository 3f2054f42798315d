export { JsonStreamSplitter, DEFAULT_MAX_VALUE_BYTES, type SplitterOptions } from './json-splitter.js';
export { CodecError, type CodecErrorCode } from './errors.js';
export { goStringify, goQuote, toGoJsonText, RawJson } from './go-json.js';

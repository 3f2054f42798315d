/**
 * The Flux API model: every type that crosses the wire in Flux v1's remote API (v1.25.4), with
 * encoders that write exactly what Go's `json.Marshal` writes and decoders that accept exactly what
 * Go's `json.Unmarshal` accepts (Go 1.19 rules: case-insensitive keys, kept-going type errors,
 * aborting custom decoders, flux's own quirks), with Go's error texts.
 *
 * Each type has `encodeX(value): string` (JSON text, ready to splice into an envelope) and
 * `decodeX(parsedJson): value`; `xValue` is the same decoder as a `ValueDecoder`, for composing
 * into a bigger struct with Go's error context. `MODEL_CODECS` lists them all by Go type name.
 *
 * Proof: golden vectors written by flux's real Go types (test/interop/vectors/model, made by
 * test/interop/go/cmd/modelvectors) must decode and re-encode byte-identically here, and what we
 * encode must round-trip through the Go types (`modelvectors check`).
 *
 * Limits, all from working on parsed JSON values rather than bytes: a number's original text is
 * lost (`1.0` is accepted into an int, Go refuses it; error texts print numbers as JavaScript
 * does); an exactly repeated key keeps only its last value; Go 1.19's `Time.UnmarshalJSON` errors
 * show the JSON text as re-serialised. Turning bytes into strings (invalid UTF-8 → U+FFFD) is the
 * codec's job.
 */
export * from './errors.js';
export { Decoder, unmarshal, goStruct, goSlice, goMap, goPointer, goString, goBool, goInt, goRaw, field, keyMatcher, jsonKind } from './go-decode.js';
export type { ValueDecoder, StructField, Mutable } from './go-decode.js';
export { compareGoStrings } from './go-encode.js';
export { GoTime, RFC3339 } from './go-time.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export * from './resource-id.js';
export * from './image.js';
export * from './image-info.js';
export * from './container.js';
export * from './controller-status.js';
export * from './image-status.js';
export * from './git-config.js';
export * from './resource-spec.js';
export * from './policy.js';
export * from './release-spec.js';
export * from './update-result.js';
export * from './update-spec.js';
export * from './job.js';
export * from './change.js';
export * from './options.js';
export * from './export.js';
export * from './generic-json.js';
export * from './event-metadata.js';
export * from './event.js';
export * from './flux-error.js';
export * from './fatal-error.js';
export * from './codecs.js';

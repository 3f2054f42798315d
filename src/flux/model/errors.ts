/**
 * Errors raised while decoding or encoding Flux model values. Each carries a stable `code` (for logs,
 * metric labels and tests) and, where Go has one, Go's exact error text as its `message`, so that a
 * decode failure reads the same as it would in the Go daemon.
 */
import { GoText } from '../../runtime/go-text.js';
export type ModelErrorCode =
  | 'FLUXRPC_ERR_JSON_TYPE'
  | 'FLUXRPC_ERR_UNEXPECTED_END'
  | 'FLUXRPC_ERR_INVALID_RESOURCE_ID'
  | 'FLUXRPC_ERR_INVALID_IMAGE_REF'
  | 'FLUXRPC_ERR_INVALID_SPEC'
  | 'FLUXRPC_ERR_TIME_PARSE'
  | 'FLUXRPC_ERR_LABEL_TIMESTAMP'
  | 'FLUXRPC_ERR_UNKNOWN_SPEC_TYPE'
  | 'FLUXRPC_ERR_UNKNOWN_CHANGE_KIND'
  | 'FLUXRPC_ERR_BASE64'
  | 'FLUXRPC_ERR_EVENT'
  | 'FLUXRPC_ERR_MODEL_ENCODE';

export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Go's `*json.UnmarshalTypeError`: a JSON value of the wrong kind for the Go type. `value` is the JSON
 * kind (`number`, `string`, `bool`, `array`, `object`, or `number 1.5` for a bad integer); `struct` and
 * `field` are filled in from the decoding context as Go does (the innermost struct's name and the
 * path of JSON keys from the value being decoded).
 */
export class GoUnmarshalTypeError extends ModelError {
  override name = 'GoUnmarshalTypeError';
  struct = '';
  field = '';
  constructor(
    readonly value: string,
    readonly goType: string,
  ) {
    super('FLUXRPC_ERR_JSON_TYPE', '');
    this.message = this.text();
  }

  /** Go's `addErrorContext` (Go 1.19: the context replaces any struct/field set before). */
  setContext(struct: string, field: string): void {
    this.struct = struct;
    this.field = field;
    this.message = this.text();
  }

  private text(): string {
    if (this.struct !== '' || this.field !== '') {
      return GoText.cannotUnmarshalField(this.value, this.struct, this.field, this.goType);
    }
    return GoText.cannotUnmarshal(this.value, this.goType);
  }
}

/** `json.Unmarshal` of no bytes at all: what Go reports when a `json.RawMessage` key was missing. */
export class UnexpectedEndError extends ModelError {
  override name = 'UnexpectedEndError';
  constructor() {
    super('FLUXRPC_ERR_UNEXPECTED_END', GoText.unexpectedEndOfInput);
  }
}

/** `resource.ParseID` failed: `parsing <input>: invalid service ID`. */
export class InvalidResourceIdError extends ModelError {
  override name = 'InvalidResourceIdError';
  constructor(readonly input: string) {
    super('FLUXRPC_ERR_INVALID_RESOURCE_ID', `parsing ${input}: invalid service ID`);
  }
}

/** `image.ParseRef` failed; the message is Go's (with or without the `parsing "<s>": ` prefix). */
export class InvalidImageRefError extends ModelError {
  override name = 'InvalidImageRefError';
  constructor(
    message: string,
    /** What Go's `ParseRef` returned alongside the error (it is assigned even on failure). */
    readonly partial: { readonly domain: string; readonly image: string; readonly tag: string; readonly sha: string },
  ) {
    super('FLUXRPC_ERR_INVALID_IMAGE_REF', message);
  }
}

/** A normalising parser for a workload or image spec refused its input (`update.Parse*Spec`). */
export class InvalidSpecError extends ModelError {
  override name = 'InvalidSpecError';
  constructor(message: string, options?: ErrorOptions) {
    super('FLUXRPC_ERR_INVALID_SPEC', message, options);
  }
}

/** Go's `*time.ParseError`, with Go's text. */
export class TimeParseError extends ModelError {
  override name = 'TimeParseError';
  constructor(message: string) {
    super('FLUXRPC_ERR_TIME_PARSE', message);
  }
}

/** `*image.LabelTimestampFormatError`: image labels whose timestamps are not RFC 3339. */
export class LabelTimestampFormatError extends ModelError {
  override name = 'LabelTimestampFormatError';
  constructor(
    readonly labels: readonly string[],
    /** The labels as Go leaves them (the failed ones zero): an `image.Info` keeps them. */
    readonly partial?: unknown,
  ) {
    super(
      'FLUXRPC_ERR_LABEL_TIMESTAMP',
      `failed to parse ${labels.length} timestamp label(s) as RFC3339 (${labels.join(', ')}); ask the repository administrator to correct this as it conflicts with the spec`,
    );
  }
}

/** `update.Spec` with a `type` Go does not know: `unknown spec type: <type>`. */
export class UnknownSpecTypeError extends ModelError {
  override name = 'UnknownSpecTypeError';
  constructor(readonly specType: string) {
    super('FLUXRPC_ERR_UNKNOWN_SPEC_TYPE', `unknown spec type: ${specType}`);
  }
}

/** `v9.Change` with a `Kind` other than `git` or `image`: Go's `ErrUnknownChange`. */
export class UnknownChangeKindError extends ModelError {
  override name = 'UnknownChangeKindError';
  constructor(readonly kind: string) {
    super('FLUXRPC_ERR_UNKNOWN_CHANGE_KIND', 'unknown kind of change');
  }
}

/** Go's `base64.CorruptInputError`: `illegal base64 data at input byte <n>` (n counts UTF-8 bytes). */
export class Base64Error extends ModelError {
  override name = 'Base64Error';
  constructor(readonly offset: number) {
    super('FLUXRPC_ERR_BASE64', `illegal base64 data at input byte ${offset}`);
  }
}

/** `event.Event` decoding refused by flux itself (`Event type is empty`, `unknown ReleaseSpec type`). */
export class EventDecodeError extends ModelError {
  override name = 'EventDecodeError';
  constructor(message: string) {
    super('FLUXRPC_ERR_EVENT', message);
  }
}

/** A value that Go could not encode either (Go fails or panics on the same value). */
export class ModelEncodeError extends ModelError {
  override name = 'ModelEncodeError';
  constructor(message: string) {
    super('FLUXRPC_ERR_MODEL_ENCODE', message);
  }
}

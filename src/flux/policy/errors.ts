/**
 * Errors of the policy layer. Each carries a stable `code`; messages are Go's text where Go has one.
 */
export type PolicyErrorCode =
  | 'FLUXRPC_ERR_SEMVER_VERSION'
  | 'FLUXRPC_ERR_SEMVER_CONSTRAINT'
  | 'FLUXRPC_ERR_INVALID_FIELD'
  | 'FLUXRPC_ERR_NO_IMAGE_SOURCE'
  | 'FLUXRPC_ERR_MISSING_IMAGE_METADATA';

export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A string that Masterminds semver's lenient parser rejects; the message is the library's. */
export class SemverVersionError extends PolicyError {
  override name = 'SemverVersionError';
  constructor(message: string) {
    super('FLUXRPC_ERR_SEMVER_VERSION', message);
  }
}

/** A constraint that Masterminds semver rejects; flux then treats the pattern as matching every version. */
export class SemverConstraintError extends PolicyError {
  override name = 'SemverConstraintError';
  constructor(message: string) {
    super('FLUXRPC_ERR_SEMVER_CONSTRAINT', message);
  }
}

/**
 * The Flux API over RPC, upstream side: one generic client for protocol versions V6…V11, driven by
 * the method table and the version table, with the compatibility shims for older daemons.
 */
export { createFluxClient, type FluxClient, type FluxClientOptions } from './client.js';
export { METHODS, METHOD_NAMES, SERVICE_NAME, decodeValue, type MethodName, type MethodSpec, type AnyMethodSpec, type ValueCodec, type ParamCodec, type ReplyShape, type Shim } from './methods.js';
export { VERSIONS, versionSpec, type VersionSpec, type Provision } from './versions.js';
export { encodeReply, encodeApplicationErrorReply, decodeReply, type ReplyForm, type DecodedReply } from './replies.js';
export { FilterConflictError, ROLLOUT_STATUS_FORMAT, STATUS_UPDATING, listImagesWithOptions, listServicesWithOptions, polyfillRolloutStatus, polyfillStatus } from './shims.js';
export { KINDS_V6, KINDS_V8, checkIdKind, checkIdKinds, checkSpecKind, checkUpdateSpecKinds, unsupportedKindMessage } from './kinds.js';
export { sscanfInts, type ScanResult } from './go-scanf.js';
export { infoFacts, infoOf, type InfoFacts } from './image-info-adapter.js';
export { listServicesWithOptionsOrShim, unknownGaps, NO_LIST_SERVICES_WITH_OPTIONS, type DaemonGaps } from './daemon-fallbacks.js';

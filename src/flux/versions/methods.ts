/**
 * The method table of the Flux API over RPC (docs/rpc.md §1, §6.2–6.3): for each method its wire name,
 * the codecs of its argument and value, the protocol version that introduced it, the kind check
 * its clients run before any I/O, what they do to its value afterwards, and its shim for daemons
 * older than the method. The generic client (client.ts) and the server adapter (../server.ts) read
 * this table; neither names a method.
 *
 * Value codecs carry Go's type names so that decoding errors read as Go's
 * (`json: cannot unmarshal object into Go value of type []v6.ControllerStatus`).
 */
import type { CallContext, FluxApi } from '../api.js';
import { changeValue, encodeChange, type Change } from '../model/change.js';
import {
  controllerStatusListValue,
  controllerStatusValue,
  encodeControllerStatus,
  encodeControllerStatusList,
  ZERO_CONTROLLER_STATUS,
  type ControllerStatus,
} from '../model/controller-status.js';
import { UnknownChangeKindError, UnknownSpecTypeError } from '../model/errors.js';
import { bytesValue, encodeBytes } from '../model/export.js';
import { encodeGitConfig, gitConfigValue, ZERO_GIT_CONFIG, type GitConfig } from '../model/git-config.js';
import { goBool, goSlice, goString, goStruct, unmarshal, type ValueDecoder } from '../model/go-decode.js';
import { goBool as encBool, goQuote, goSlice as encSlice } from '../model/go-encode.js';
import { encodeImageStatus, encodeImageStatusList, imageStatusListValue, imageStatusValue, ZERO_IMAGE_STATUS, type ImageStatus } from '../model/image-status.js';
import { encodeJobStatus, jobStatusValue, ZERO_JOB_STATUS, type JobId, type JobStatus } from '../model/job.js';
import {
  encodeListImagesOptions,
  encodeListServicesOptions,
  listImagesOptionsValue,
  listServicesOptionsValue,
  ZERO_LIST_IMAGES_OPTIONS,
  ZERO_LIST_SERVICES_OPTIONS,
  type ListImagesOptions,
  type ListServicesOptions,
} from '../model/options.js';
import { encodeUpdateSpec, updateSpecValue, type UpdateSpec } from '../model/update-spec.js';
import { checkIdKinds, checkSpecKind, checkUpdateSpecKinds } from './kinds.js';
import { listImagesWithOptions, listServicesWithOptions, polyfillRolloutStatus, polyfillStatus } from './shims.js';

/** The service every method is registered under. */
export const SERVICE_NAME = 'RPCServer';

/** A Go value's JSON codec. */
export interface ValueCodec<T> {
  /** The Go type as printed in `Go value of type …` errors. */
  readonly goType: string;
  readonly value: ValueDecoder<T>;
  /** Go's zero value: what a reply carries with an application error, what decoding starts from. */
  readonly zero: T;
  encode(value: T): string;
  /**
   * For a Go slice (a list reply that can be large): its element, so that a large list is decoded
   * and encoded an element at a time (`value` and `encode` are `goSlice` of these).
   */
  readonly list?: ListCodec<ElementOf<T>>;
}

/** The element type of a (nullable) list type. */
export type ElementOf<T> = T extends readonly (infer E)[] ? E : never;

/** A slice's element codec: `value`/`encode` of the slice are Go's slice rules over these. */
export interface ListCodec<E> {
  readonly elem: ValueDecoder<E>;
  /** A fresh zero element to decode into. */
  readonly zero: () => E;
  readonly encodeElem: (e: E) => string;
}

/** The argument: encoded by clients, decoded by the server. */
export interface ParamCodec<P> {
  encode(param: P): string;
  /**
   * The request's argument as the server's rpc layer hands it over (`undefined` for a missing or
   * `null` argument, Go's zero value). Throws Go's error text for a bad one.
   */
  decode(raw: unknown): P;
}

/**
 * How a method's reply is shaped:
 * - `ignored` (Ping): `{}` in every version; clients do not read it;
 * - `bare` (Version): the value itself in every version; errors always RPC error strings;
 * - `versioned`: the value itself (V6, "flat") or `{"Result":…,"ApplicationError":…}` (V7+,
 *   "union"; without `Result` for a method that has no value).
 */
export type ReplyShape = 'ignored' | 'bare' | 'versioned';

/** A compatibility shim: emulates the method with older calls of the same client. */
export type Shim<P, R> = (api: FluxApi, ctx: CallContext, param: P, kinds: readonly string[]) => Promise<R>;

export interface MethodSpec<P, R> {
  /** Go's method name, e.g. `ListServices`. */
  readonly name: string;
  /** The wire method, `RPCServer.<name>`. */
  readonly wire: string;
  /** The `FluxApi` method. */
  readonly api: keyof FluxApi;
  /** The protocol version that introduced the method (4 and 5 predate the versions spoken). */
  readonly since: number;
  readonly param: ParamCodec<P>;
  /** The value; `undefined` for methods without one (`R` is `void` then). */
  readonly result: ValueCodec<R> | undefined;
  readonly reply: ReplyShape;
  /** The Go type of the union reply (V7+), e.g. `rpc.ListServicesResponse`; `""` for Ping and Version. */
  readonly unionType: string;
  /** What a flat-mode server writes for a nil value (Go's V6-era server wrote `null`, docs/rpc.md §5.1). */
  readonly flatNil: string;
  /** The value clients return, without error, when the daemon lacks the method (Version: `unknown`). */
  readonly missingMethodValue?: R;
  /** The kind check run before any I/O: the message of the error to raise, or `undefined`. */
  readonly kindCheck?: (param: P, kinds: readonly string[]) => string | undefined;
  /** Applied by clients to every value received (the rollout polyfill). */
  readonly after?: (value: R) => R;
  /** `after` for one element of a list value (so a large list can go through it in slices). */
  readonly afterEach?: (element: ElementOf<R>) => ElementOf<R>;
  /** For versions older than `since`; without one, those versions fail with UpgradeNeededError. */
  readonly shim?: Shim<P, R>;
  /** Calls the method on an API implementation. */
  call(api: FluxApi, ctx: CallContext, param: P): Promise<R>;
}

// --- codecs ------------------------------------------------------------------------------------

function valueCodec<T>(goType: string, value: ValueDecoder<T>, zero: T, encode: (v: T) => string, list?: ValueCodec<T>['list']): ValueCodec<T> {
  return list === undefined ? { goType, value, zero, encode } : { goType, value, zero, encode, list };
}

/** Decodes a JSON value into a fresh Go value of the codec's type. */
export function decodeValue<T>(codec: ValueCodec<T>, json: unknown): T {
  return unmarshal(json, codec.value, codec.zero);
}

/** An argument whose zero value is representable: a missing argument decodes to it. */
function paramOf<P>(codec: ValueCodec<P>): ParamCodec<P> {
  return { encode: codec.encode, decode: (raw) => (raw === undefined ? codec.zero : decodeValue(codec, raw)) };
}

/**
 * An argument whose Go zero value has no TS form (a zero `update.Spec` or `v9.Change` has no
 * type): a missing one is refused with `missing`'s error instead of calling the implementation.
 */
function paramRefusingZero<P>(value: ValueDecoder<P>, encode: (p: P) => string, missing: () => Error): ParamCodec<P> {
  return {
    encode,
    decode: (raw) => {
      if (raw === undefined) throw missing();
      return unmarshal(raw, value, undefined as P);
    },
  };
}

const EMPTY_STRUCT = valueCodec<void>('struct {}', goStruct<Record<string, never>>('struct {}', '', []) as unknown as ValueDecoder<void>, undefined, () => '{}');
const STRING = (goType: string) => valueCodec<string>(goType, goString(goType), '', goQuote);
const BOOL = valueCodec<boolean>('bool', goBool(), false, encBool);
const BYTES = valueCodec<Uint8Array | null>('[]uint8', bytesValue, null, encodeBytes);
const CONTROLLER_STATUSES = valueCodec<readonly ControllerStatus[] | null>('[]v6.ControllerStatus', controllerStatusListValue, null, encodeControllerStatusList, {
  elem: controllerStatusValue,
  zero: () => ZERO_CONTROLLER_STATUS,
  encodeElem: encodeControllerStatus,
});
const IMAGE_STATUSES = valueCodec<readonly ImageStatus[] | null>('[]v6.ImageStatus', imageStatusListValue, null, encodeImageStatusList, {
  elem: imageStatusValue,
  zero: () => ZERO_IMAGE_STATUS,
  encodeElem: encodeImageStatus,
});
const STRINGS = valueCodec<readonly string[] | null>('[]string', goSlice(goString(), () => '', '[]string'), null, (v) => encSlice(v, goQuote), {
  elem: goString(),
  zero: () => '',
  encodeElem: goQuote,
});
const JOB_STATUS = valueCodec<JobStatus>('job.Status', jobStatusValue, ZERO_JOB_STATUS, encodeJobStatus);
const GIT_CONFIG = valueCodec<GitConfig>('v6.GitConfig', gitConfigValue, ZERO_GIT_CONFIG, encodeGitConfig);
const LIST_IMAGES_OPTIONS = valueCodec<ListImagesOptions>('v10.ListImagesOptions', listImagesOptionsValue, ZERO_LIST_IMAGES_OPTIONS, encodeListImagesOptions);
const LIST_SERVICES_OPTIONS = valueCodec<ListServicesOptions>(
  'v11.ListServicesOptions',
  listServicesOptionsValue,
  ZERO_LIST_SERVICES_OPTIONS,
  encodeListServicesOptions,
);

const NO_PARAM = paramOf(EMPTY_STRUCT);
const UPDATE_SPEC = paramRefusingZero<UpdateSpec>(updateSpecValue, encodeUpdateSpec, () => new UnknownSpecTypeError(''));
const CHANGE = paramRefusingZero<Change>(changeValue, encodeChange, () => new UnknownChangeKindError(''));

// --- the table ---------------------------------------------------------------------------------

type Spec<P, R> = Omit<MethodSpec<P, R>, 'wire' | 'unionType' | 'flatNil' | 'reply'> & Partial<Pick<MethodSpec<P, R>, 'flatNil' | 'reply'>>;

function method<P, R>(spec: Spec<P, R>): MethodSpec<P, R> {
  return Object.freeze({
    reply: 'versioned' as const,
    flatNil: spec.result === undefined ? '{}' : spec.result.encode(spec.result.zero),
    ...spec,
    wire: `${SERVICE_NAME}.${spec.name}`,
    unionType: (spec.reply ?? 'versioned') === 'versioned' ? `rpc.${spec.name.replace(/WithOptions$/, '')}Response` : '',
  });
}

const polyfill = (v: readonly ControllerStatus[] | null) => polyfillRolloutStatus(v);

export const METHODS = {
  Ping: method<void, void>({ name: 'Ping', api: 'ping', since: 4, param: NO_PARAM, result: undefined, reply: 'ignored', call: (a, ctx) => a.ping(ctx) }),
  Version: method<void, string>({
    name: 'Version',
    api: 'version',
    since: 4,
    param: NO_PARAM,
    result: STRING('string'),
    reply: 'bare',
    missingMethodValue: 'unknown',
    call: (a, ctx) => a.version(ctx),
  }),
  Export: method<void, Uint8Array | null>({
    name: 'Export',
    api: 'export',
    since: 5,
    param: NO_PARAM,
    result: BYTES,
    flatNil: '""',
    call: (a, ctx) => a.export(ctx),
  }),
  ListServices: method<string, readonly ControllerStatus[] | null>({
    name: 'ListServices',
    api: 'listServices',
    since: 6,
    param: paramOf(STRING('string')),
    result: CONTROLLER_STATUSES,
    flatNil: '[]',
    after: polyfill,
    afterEach: polyfillStatus,
    call: (a, ctx, namespace) => a.listServices(ctx, namespace),
  }),
  ListServicesWithOptions: method<ListServicesOptions, readonly ControllerStatus[] | null>({
    name: 'ListServicesWithOptions',
    api: 'listServicesWithOptions',
    since: 11,
    param: paramOf(LIST_SERVICES_OPTIONS),
    result: CONTROLLER_STATUSES,
    flatNil: '[]',
    kindCheck: (options, kinds) => checkIdKinds(options.services, kinds),
    after: polyfill,
    afterEach: polyfillStatus,
    shim: listServicesWithOptions,
    call: (a, ctx, options) => a.listServicesWithOptions(ctx, options),
  }),
  ListImages: method<string, readonly ImageStatus[] | null>({
    name: 'ListImages',
    api: 'listImages',
    since: 6,
    param: paramOf(STRING('update.ResourceSpec')),
    result: IMAGE_STATUSES,
    flatNil: '[]',
    kindCheck: checkSpecKind,
    call: (a, ctx, spec) => a.listImages(ctx, spec),
  }),
  ListImagesWithOptions: method<ListImagesOptions, readonly ImageStatus[] | null>({
    name: 'ListImagesWithOptions',
    api: 'listImagesWithOptions',
    since: 10,
    param: paramOf(LIST_IMAGES_OPTIONS),
    result: IMAGE_STATUSES,
    flatNil: '[]',
    kindCheck: (options, kinds) => checkSpecKind(options.spec, kinds),
    shim: (api, ctx, options) => listImagesWithOptions(api, ctx, options),
    call: (a, ctx, options) => a.listImagesWithOptions(ctx, options),
  }),
  UpdateManifests: method<UpdateSpec, JobId>({
    name: 'UpdateManifests',
    api: 'updateManifests',
    since: 6,
    param: UPDATE_SPEC,
    result: STRING('job.ID'),
    kindCheck: checkUpdateSpecKinds,
    call: (a, ctx, spec) => a.updateManifests(ctx, spec),
  }),
  SyncNotify: method<void, void>({ name: 'SyncNotify', api: 'syncNotify', since: 6, param: NO_PARAM, result: undefined, call: (a, ctx) => a.syncNotify(ctx) }),
  NotifyChange: method<Change, void>({
    name: 'NotifyChange',
    api: 'notifyChange',
    since: 9,
    param: CHANGE,
    result: undefined,
    call: (a, ctx, change) => a.notifyChange(ctx, change),
  }),
  JobStatus: method<JobId, JobStatus>({
    name: 'JobStatus',
    api: 'jobStatus',
    since: 6,
    param: paramOf(STRING('job.ID')),
    result: JOB_STATUS,
    call: (a, ctx, id) => a.jobStatus(ctx, id),
  }),
  SyncStatus: method<string, readonly string[] | null>({
    name: 'SyncStatus',
    api: 'syncStatus',
    since: 6,
    param: paramOf(STRING('string')),
    result: STRINGS,
    flatNil: '[]',
    call: (a, ctx, ref) => a.syncStatus(ctx, ref),
  }),
  GitRepoConfig: method<boolean, GitConfig>({
    name: 'GitRepoConfig',
    api: 'gitRepoConfig',
    since: 6,
    param: paramOf(BOOL),
    result: GIT_CONFIG,
    call: (a, ctx, regenerate) => a.gitRepoConfig(ctx, regenerate),
  }),
} as const;

export type MethodName = keyof typeof METHODS;
export type AnyMethodSpec = MethodSpec<any, any>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

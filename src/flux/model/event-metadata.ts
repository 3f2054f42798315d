/**
 * The metadata of an `event.Event`, chosen by the event's type: commit, sync, release and
 * autorelease have Go types (with their own JSON quirks); any other type keeps a generic
 * `map[string]interface{}`.
 */
import { goBool as encBool, goMap as encMap, goObject, goQuote, goSlice as encSlice, omitEmptyString } from './go-encode.js';
import {
  field,
  goBool,
  goMap,
  goPointer,
  goSlice,
  goString,
  goStruct,
  unmarshal,
  type Mutable,
  type ValueDecoder,
} from './go-decode.js';
import { EventDecodeError } from './errors.js';
import { encodeResourceId, ResourceId, resourceIdValue } from './resource-id.js';
import { causeValue, encodeCause, encodeUpdateSpec, updateSpecValue, ZERO_CAUSE, type Cause, type UpdateSpec } from './update-spec.js';
import { encodeUpdateResult, updateResultValue, type UpdateResult } from './update-result.js';
import {
  automatedValue,
  encodeAutomated,
  encodeReleaseContainersSpec,
  encodeReleaseImageSpec,
  MANUAL_SYNC,
  releaseContainersSpecValue,
  releaseImageSpecValue,
  ZERO_AUTOMATED,
  ZERO_RELEASE_CONTAINERS_SPEC,
  ZERO_RELEASE_IMAGE_SPEC,
  type Automated,
  type ReleaseContainersSpec,
  type ReleaseImageSpec,
} from './release-spec.js';
import { encodeGoJsonMap, toGoJsonValue, type GoJsonValue } from './generic-json.js';
import { GoText } from '../../runtime/go-text.js';

export const RELEASE_IMAGE_SPEC_TYPE = 'releaseImageSpecType';
export const RELEASE_CONTAINERS_SPEC_TYPE = 'releaseContainersSpecType';

export interface CommitEventMetadata {
  readonly kind: 'commit';
  readonly revision: string;
  readonly spec: UpdateSpec | null;
  readonly result: UpdateResult;
}

export interface EventCommit {
  readonly revision: string;
  readonly message: string;
}

export interface ResourceError {
  readonly id: ResourceId;
  readonly path: string;
  readonly error: string;
}

export interface SyncEventMetadata {
  readonly kind: 'sync';
  /** Old events' field; on decode, missing `commits` are rebuilt from it. */
  readonly revisions: readonly string[] | null;
  readonly commits: readonly EventCommit[] | null;
  readonly includes: ReadonlyMap<string, boolean> | null;
  readonly errors: readonly ResourceError[] | null;
  readonly initialSync: boolean;
}

/** `event.ReleaseSpec`: which of the two specs a release event carries. */
export interface ReleaseSpec {
  readonly type: string;
  readonly releaseImageSpec: ReleaseImageSpec | null;
  readonly releaseContainersSpec: ReleaseContainersSpec | null;
}

export interface ReleaseEventMetadata {
  readonly kind: 'release';
  readonly revision: string;
  readonly result: UpdateResult;
  readonly error: string;
  readonly spec: ReleaseSpec;
  readonly cause: Cause;
}

export interface AutoReleaseEventMetadata {
  readonly kind: 'autorelease';
  readonly revision: string;
  readonly result: UpdateResult;
  readonly error: string;
  readonly spec: Automated;
}

/** `event.UnknownEventMetadata` (a map; `value: null` is a nil map, written as `null`). */
export interface UnknownEventMetadata {
  readonly kind: 'unknown';
  readonly value: ReadonlyMap<string, GoJsonValue> | null;
}

export type EventMetadata = CommitEventMetadata | SyncEventMetadata | ReleaseEventMetadata | AutoReleaseEventMetadata | UnknownEventMetadata;

export function encodeEventMetadata(m: EventMetadata): string {
  switch (m.kind) {
    case 'commit':
      return goObject([
        omitEmptyString('revision', m.revision),
        ['spec', m.spec === null ? 'null' : encodeUpdateSpec(m.spec)],
        m.result === null || m.result.size === 0 ? undefined : ['result', encodeUpdateResult(m.result)],
      ]);
    case 'sync':
      return goObject([
        m.revisions === null || m.revisions.length === 0 ? undefined : ['revisions', encSlice(m.revisions, goQuote)],
        m.commits === null || m.commits.length === 0
          ? undefined
          : [
              'commits',
              encSlice(m.commits, (c) =>
                goObject([
                  ['revision', goQuote(c.revision)],
                  ['message', goQuote(c.message)],
                ]),
              ),
            ],
        m.includes === null || m.includes.size === 0 ? undefined : ['includes', encMap(m.includes, encBool)],
        m.errors === null || m.errors.length === 0
          ? undefined
          : [
              'errors',
              encSlice(m.errors, (e) =>
                goObject([
                  ['ID', encodeResourceId(e.id)],
                  ['Path', goQuote(e.path)],
                  ['Error', goQuote(e.error)],
                ]),
              ),
            ],
        m.initialSync ? ['initialSync', 'true'] : undefined,
      ]);
    case 'release':
      return goObject([
        ['Revision', goQuote(m.revision)],
        ['result', encodeUpdateResult(m.result)],
        omitEmptyString('error', m.error),
        [
          'spec',
          goObject([
            ['Type', goQuote(m.spec.type)],
            ['ReleaseImageSpec', m.spec.releaseImageSpec === null ? 'null' : encodeReleaseImageSpec(m.spec.releaseImageSpec)],
            ['ReleaseContainersSpec', m.spec.releaseContainersSpec === null ? 'null' : encodeReleaseContainersSpec(m.spec.releaseContainersSpec)],
          ]),
        ],
        ['cause', encodeCause(m.cause)],
      ]);
    case 'autorelease':
      return goObject([
        ['Revision', goQuote(m.revision)],
        ['result', encodeUpdateResult(m.result)],
        omitEmptyString('error', m.error),
        ['spec', encodeAutomated(m.spec)],
      ]);
    case 'unknown':
      return encodeGoJsonMap(m.value);
  }
}

// --- decoding ---------------------------------------------------------------------------------

const ZERO_SPEC: UpdateSpec = { type: 'sync', cause: ZERO_CAUSE, spec: MANUAL_SYNC };

const commitValue = goStruct<Mutable<CommitEventMetadata>>('event.CommitEventMetadata', 'CommitEventMetadata', [
  field('revision', 'revision', goString()),
  field('spec', 'spec', goPointer(updateSpecValue, () => ZERO_SPEC)),
  field('result', 'result', updateResultValue),
]);

const eventCommitValue = goStruct<Mutable<EventCommit>>('event.Commit', 'Commit', [
  field('revision', 'revision', goString()),
  field('message', 'message', goString()),
]);

const resourceErrorValue = goStruct<Mutable<ResourceError>>('event.ResourceError', 'ResourceError', [
  field('ID', 'id', resourceIdValue),
  field('Path', 'path', goString()),
  field('Error', 'error', goString()),
]);

const syncDataValue = goStruct<Mutable<SyncEventMetadata>>('event.data', 'data', [
  field('revisions', 'revisions', goSlice(goString(), () => '', '[]string')),
  field('commits', 'commits', goSlice(eventCommitValue, () => ({ revision: '', message: '' }), '[]event.Commit')),
  field('includes', 'includes', goMap(goBool(), () => false, 'map[string]bool')),
  field('errors', 'errors', goSlice(resourceErrorValue, () => ({ id: ResourceId.ZERO, path: '', error: '' }), '[]event.ResourceError')),
  field('initialSync', 'initialSync', goBool()),
]);

/** `(*SyncEventMetadata).UnmarshalJSON`: missing commits are rebuilt from `revisions`. */
const syncValue: ValueDecoder<SyncEventMetadata> = (json, _d, current) => {
  const m = unmarshal(json, syncDataValue, current);
  if (m.commits !== null) return m;
  return { ...m, commits: (m.revisions ?? []).map((revision) => ({ revision, message: '' })) };
};

interface ReleaseSpecWire {
  type: string;
  releaseImageSpec: ReleaseImageSpec | null;
  releaseContainersSpec: ReleaseContainersSpec | null;
}

const releaseSpecTValue = goStruct<ReleaseSpecWire>('event.T', 'T', [
  field('Type', 'type', goString()),
  field('ReleaseImageSpec', 'releaseImageSpec', goPointer(releaseImageSpecValue, () => ZERO_RELEASE_IMAGE_SPEC)),
  field('ReleaseContainersSpec', 'releaseContainersSpec', goPointer(releaseContainersSpecValue, () => ZERO_RELEASE_CONTAINERS_SPEC)),
]);

/** `(*ReleaseSpec).UnmarshalJSON`: a spec without `Type` is an old-style ReleaseImageSpec. */
const releaseSpecValue: ValueDecoder<ReleaseSpec> = (json, _d, current) => {
  const t = unmarshal<ReleaseSpecWire>(json, releaseSpecTValue, { ...current });
  switch (t.type) {
    case '':
      return { ...t, type: RELEASE_IMAGE_SPEC_TYPE, releaseImageSpec: unmarshal(json, releaseImageSpecValue, ZERO_RELEASE_IMAGE_SPEC) };
    case RELEASE_IMAGE_SPEC_TYPE:
    case RELEASE_CONTAINERS_SPEC_TYPE:
      return t;
    default:
      throw new EventDecodeError(GoText.unknownReleaseSpecType);
  }
};

const ZERO_RELEASE_SPEC: ReleaseSpec = Object.freeze({ type: '', releaseImageSpec: null, releaseContainersSpec: null });

// Go 1.19 names the outer struct, not the embedded ReleaseEventCommon, in type errors.
const releaseValue = goStruct<Mutable<ReleaseEventMetadata>>('event.ReleaseEventMetadata', 'ReleaseEventMetadata', [
  field('Revision', 'revision', goString()),
  field('result', 'result', updateResultValue),
  field('error', 'error', goString()),
  field('spec', 'spec', releaseSpecValue),
  field('cause', 'cause', causeValue),
]);

const autoReleaseValue = goStruct<Mutable<AutoReleaseEventMetadata>>('event.AutoReleaseEventMetadata', 'AutoReleaseEventMetadata', [
  field('Revision', 'revision', goString()),
  field('result', 'result', updateResultValue),
  field('error', 'error', goString()),
  field('spec', 'spec', automatedValue),
]);

const unknownValue: ValueDecoder<ReadonlyMap<string, GoJsonValue> | null> = (json, d, current) => {
  if (json === null) return null;
  if (typeof json !== 'object' || Array.isArray(json)) {
    d.mismatch(json, 'event.UnknownEventMetadata');
    return current;
  }
  return toGoJsonValue(json) as ReadonlyMap<string, GoJsonValue>;
};

/**
 * The metadata of an event of type `type`, decoded from the raw `metadata` value (`undefined`
 * when the key was missing). Returns `current` for an unknown type without metadata.
 */
export function decodeEventMetadata(type: string, raw: unknown, current: EventMetadata | null): EventMetadata | null {
  switch (type) {
    case 'release':
      return unmarshal(raw, releaseValue, {
        kind: 'release',
        revision: '',
        result: null,
        error: '',
        spec: ZERO_RELEASE_SPEC,
        cause: ZERO_CAUSE,
      });
    case 'autorelease':
      return unmarshal(raw, autoReleaseValue, { kind: 'autorelease', revision: '', result: null, error: '', spec: ZERO_AUTOMATED });
    case 'commit':
      return unmarshal(raw, commitValue, { kind: 'commit', revision: '', spec: null, result: null });
    case 'sync':
      return unmarshal(raw, syncValue, { kind: 'sync', revisions: null, commits: null, includes: null, errors: null, initialSync: false });
    default:
      if (raw === undefined) return current;
      return { kind: 'unknown', value: unmarshal(raw, unknownValue, null) };
  }
}

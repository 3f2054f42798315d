/**
 * `update.Spec`: the tagged union sent to `UpdateManifests`. Keys `type`, `cause`, `spec`, always.
 * Decoding takes `type` and `cause` first, then reads `spec` by type: an unknown type fails with
 * `unknown spec type: <type>`, a missing `spec` with `unexpected end of JSON input`, and
 * `"spec":null` gives that type's zero value.
 */
import { goObject, goQuote } from './go-encode.js';
import { field, goRaw, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { UnknownSpecTypeError } from './errors.js';
import { decodePolicyUpdates, encodePolicyUpdates, type PolicyUpdates } from './policy.js';
import {
  automatedValue,
  encodeAutomated,
  encodeManualSync,
  encodeReleaseContainersSpec,
  encodeReleaseImageSpec,
  MANUAL_SYNC,
  manualSyncValue,
  releaseContainersSpecValue,
  releaseImageSpecValue,
  ZERO_AUTOMATED,
  ZERO_RELEASE_CONTAINERS_SPEC,
  ZERO_RELEASE_IMAGE_SPEC,
  type Automated,
  type ManualSync,
  type ReleaseContainersSpec,
  type ReleaseImageSpec,
} from './release-spec.js';

/** The `type` values. */
export const UpdateType = {
  Images: 'image',
  Policy: 'policy',
  Auto: 'auto',
  Sync: 'sync',
  Containers: 'containers',
} as const;

/** The `cause.User` of updates made by automation. */
export const USER_AUTOMATED = '<automated>';

export interface Cause {
  readonly message: string;
  readonly user: string;
}

export type UpdateSpec =
  | { readonly type: 'image'; readonly cause: Cause; readonly spec: ReleaseImageSpec }
  | { readonly type: 'policy'; readonly cause: Cause; readonly spec: PolicyUpdates }
  | { readonly type: 'auto'; readonly cause: Cause; readonly spec: Automated }
  | { readonly type: 'sync'; readonly cause: Cause; readonly spec: ManualSync }
  | { readonly type: 'containers'; readonly cause: Cause; readonly spec: ReleaseContainersSpec };

export const ZERO_CAUSE: Cause = Object.freeze({ message: '', user: '' });

export function encodeCause(c: Cause): string {
  return goObject([
    ['Message', goQuote(c.message)],
    ['User', goQuote(c.user)],
  ]);
}

function encodeSpecBody(s: UpdateSpec): string {
  switch (s.type) {
    case 'image':
      return encodeReleaseImageSpec(s.spec);
    case 'policy':
      return encodePolicyUpdates(s.spec);
    case 'auto':
      return encodeAutomated(s.spec);
    case 'sync':
      return encodeManualSync(s.spec);
    case 'containers':
      return encodeReleaseContainersSpec(s.spec);
  }
}

export function encodeUpdateSpec(s: UpdateSpec): string {
  return goObject([
    ['type', goQuote(s.type)],
    ['cause', encodeCause(s.cause)],
    ['spec', encodeSpecBody(s)],
  ]);
}

export const causeValue: ValueDecoder<Cause> = goStruct<Mutable<Cause>>('update.Cause', 'Cause', [
  field('Message', 'message', goString()),
  field('User', 'user', goString()),
]);

interface SpecWire {
  type: string;
  cause: Cause;
  spec: unknown;
}

const specWireValue = goStruct<SpecWire>(
  'struct { Type string "json:\\"type\\""; Cause update.Cause "json:\\"cause\\""; SpecBytes json.RawMessage "json:\\"spec\\"" }',
  '',
  [field('type', 'type', goString()), field('cause', 'cause', causeValue), field('spec', 'spec', goRaw)],
);

/** `(*update.Spec).UnmarshalJSON`; see the module comment. */
export const updateSpecValue: ValueDecoder<UpdateSpec> = (json) => {
  const wire = unmarshal<SpecWire>(json, specWireValue, { type: '', cause: ZERO_CAUSE, spec: undefined });
  const { cause } = wire;
  switch (wire.type) {
    case 'policy':
      return { type: 'policy', cause, spec: decodePolicyUpdates(wire.spec) };
    case 'image':
      return { type: 'image', cause, spec: unmarshal(wire.spec, releaseImageSpecValue, ZERO_RELEASE_IMAGE_SPEC) };
    case 'auto':
      return { type: 'auto', cause, spec: unmarshal(wire.spec, automatedValue, ZERO_AUTOMATED) };
    case 'sync':
      return { type: 'sync', cause, spec: unmarshal(wire.spec, manualSyncValue, MANUAL_SYNC) };
    case 'containers':
      return { type: 'containers', cause, spec: unmarshal(wire.spec, releaseContainersSpecValue, ZERO_RELEASE_CONTAINERS_SPEC) };
    default:
      throw new UnknownSpecTypeError(wire.type);
  }
};

export function decodeUpdateSpec(json: unknown): UpdateSpec {
  return unmarshal(json, updateSpecValue, { type: 'sync', cause: ZERO_CAUSE, spec: MANUAL_SYNC });
}

export function decodeCause(json: unknown): Cause {
  return unmarshal(json, causeValue, ZERO_CAUSE);
}

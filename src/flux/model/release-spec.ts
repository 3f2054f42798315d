/**
 * The specs of `image`, `containers`, `auto` and `sync` updates: `update.ReleaseImageSpec`,
 * `update.ReleaseContainersSpec` with `update.ContainerUpdate`, `update.Automated` with its
 * changes, and `update.ManualSync`. No field is omitted; nil slices and maps are `null`.
 */
import { goBool as encBool, goObject, goQuote, goSlice as encSlice } from './go-encode.js';
import { field, goBool, goMap, goSlice, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeImageRef, imageRefValue, ZERO_IMAGE_REF, type ImageRef } from './image.js';
import {
  encodeResourceId,
  encodeResourceIdList,
  encodeResourceIdMap,
  ResourceId,
  resourceIdKey,
  resourceIdListValue,
  resourceIdValue,
} from './resource-id.js';

/** `update.ReleaseKind`: a dry run or the real thing (`""` also occurs). */
export const ReleaseKind = { Plan: 'plan', Execute: 'execute' } as const;

export interface ReleaseImageSpec {
  /** `update.ResourceSpec` texts: `<all>` or workload IDs (not checked when decoding). */
  readonly serviceSpecs: readonly string[] | null;
  /** `update.ImageSpec` text: `<all latest>` or an image ref. */
  readonly imageSpec: string;
  readonly kind: string;
  readonly excludes: readonly ResourceId[] | null;
  readonly force: boolean;
}

export interface ContainerUpdate {
  readonly container: string;
  readonly current: ImageRef;
  readonly target: ImageRef;
}

export interface ReleaseContainersSpec {
  readonly kind: string;
  /** Workload ID text → updates (`null` entries are nil slices). */
  readonly containerSpecs: ReadonlyMap<string, readonly ContainerUpdate[] | null> | null;
  readonly skipMismatches: boolean;
  readonly force: boolean;
}

/** `update.Change` inside `update.Automated`. */
export interface AutomatedChange {
  readonly workloadId: ResourceId;
  readonly container: { readonly name: string; readonly image: ImageRef };
  readonly imageId: ImageRef;
}

export interface Automated {
  readonly changes: readonly AutomatedChange[] | null;
}

/** `update.ManualSync`: no fields. */
export type ManualSync = Readonly<Record<string, never>>;

export const ZERO_RELEASE_IMAGE_SPEC: ReleaseImageSpec = Object.freeze({ serviceSpecs: null, imageSpec: '', kind: '', excludes: null, force: false });
export const ZERO_RELEASE_CONTAINERS_SPEC: ReleaseContainersSpec = Object.freeze({ kind: '', containerSpecs: null, skipMismatches: false, force: false });
export const ZERO_CONTAINER_UPDATE: ContainerUpdate = Object.freeze({ container: '', current: ZERO_IMAGE_REF, target: ZERO_IMAGE_REF });
export const ZERO_AUTOMATED: Automated = Object.freeze({ changes: null });
export const MANUAL_SYNC: ManualSync = Object.freeze({});
const ZERO_AUTOMATED_CHANGE: AutomatedChange = Object.freeze({
  workloadId: ResourceId.ZERO,
  container: Object.freeze({ name: '', image: ZERO_IMAGE_REF }),
  imageId: ZERO_IMAGE_REF,
});

export function encodeReleaseImageSpec(s: ReleaseImageSpec): string {
  return goObject([
    ['ServiceSpecs', encSlice(s.serviceSpecs, goQuote)],
    ['ImageSpec', goQuote(s.imageSpec)],
    ['Kind', goQuote(s.kind)],
    ['Excludes', encodeResourceIdList(s.excludes)],
    ['Force', encBool(s.force)],
  ]);
}

export function encodeContainerUpdate(u: ContainerUpdate): string {
  return goObject([
    ['Container', goQuote(u.container)],
    ['Current', encodeImageRef(u.current)],
    ['Target', encodeImageRef(u.target)],
  ]);
}

export function encodeContainerUpdateList(list: readonly ContainerUpdate[] | null): string {
  return encSlice(list, encodeContainerUpdate);
}

export function encodeReleaseContainersSpec(s: ReleaseContainersSpec): string {
  return goObject([
    ['Kind', goQuote(s.kind)],
    ['ContainerSpecs', encodeResourceIdMap(s.containerSpecs, encodeContainerUpdateList)],
    ['SkipMismatches', encBool(s.skipMismatches)],
    ['Force', encBool(s.force)],
  ]);
}

export function encodeAutomated(a: Automated): string {
  return goObject([
    [
      'Changes',
      encSlice(a.changes, (c) =>
        goObject([
          ['WorkloadID', encodeResourceId(c.workloadId)],
          [
            'Container',
            goObject([
              ['Name', goQuote(c.container.name)],
              ['Image', encodeImageRef(c.container.image)],
            ]),
          ],
          ['ImageID', encodeImageRef(c.imageId)],
        ]),
      ),
    ],
  ]);
}

export function encodeManualSync(_s: ManualSync): string {
  return '{}';
}

export const releaseImageSpecValue: ValueDecoder<ReleaseImageSpec> = goStruct<Mutable<ReleaseImageSpec>>('update.ReleaseImageSpec', 'ReleaseImageSpec', [
  field('ServiceSpecs', 'serviceSpecs', goSlice(goString('update.ResourceSpec'), () => '', '[]update.ResourceSpec')),
  field('ImageSpec', 'imageSpec', goString('update.ImageSpec')),
  field('Kind', 'kind', goString('update.ReleaseKind')),
  field('Excludes', 'excludes', resourceIdListValue),
  field('Force', 'force', goBool()),
]);

export const containerUpdateValue: ValueDecoder<ContainerUpdate> = goStruct<Mutable<ContainerUpdate>>('update.ContainerUpdate', 'ContainerUpdate', [
  field('Container', 'container', goString()),
  field('Current', 'current', imageRefValue),
  field('Target', 'target', imageRefValue),
]);

export const containerUpdateListValue = goSlice(containerUpdateValue, () => ZERO_CONTAINER_UPDATE, '[]update.ContainerUpdate');

export const releaseContainersSpecValue: ValueDecoder<ReleaseContainersSpec> = goStruct<Mutable<ReleaseContainersSpec>>(
  'update.ReleaseContainersSpec',
  'ReleaseContainersSpec',
  [
    field('Kind', 'kind', goString('update.ReleaseKind')),
    field('ContainerSpecs', 'containerSpecs', goMap(containerUpdateListValue, () => null, 'map[resource.ID][]update.ContainerUpdate', resourceIdKey)),
    field('SkipMismatches', 'skipMismatches', goBool()),
    field('Force', 'force', goBool()),
  ],
);

const resourceContainerValue = goStruct<Mutable<AutomatedChange['container']>>('resource.Container', 'Container', [
  field('Name', 'name', goString()),
  field('Image', 'image', imageRefValue),
]);

const automatedChangeValue = goStruct<Mutable<AutomatedChange>>('update.Change', 'Change', [
  field('WorkloadID', 'workloadId', resourceIdValue),
  field('Container', 'container', resourceContainerValue),
  field('ImageID', 'imageId', imageRefValue),
]);

export const automatedValue: ValueDecoder<Automated> = goStruct<Mutable<Automated>>('update.Automated', 'Automated', [
  field('Changes', 'changes', goSlice(automatedChangeValue, () => ZERO_AUTOMATED_CHANGE, '[]update.Change')),
]);

/** `update.ManualSync`: any object (or `null`); other JSON is a type error. */
export const manualSyncValue: ValueDecoder<ManualSync> = goStruct<Record<string, never>>('update.ManualSync', 'ManualSync', []);

export function decodeReleaseImageSpec(json: unknown): ReleaseImageSpec {
  return unmarshal(json, releaseImageSpecValue, ZERO_RELEASE_IMAGE_SPEC);
}

export function decodeContainerUpdate(json: unknown): ContainerUpdate {
  return unmarshal(json, containerUpdateValue, ZERO_CONTAINER_UPDATE);
}

export function decodeReleaseContainersSpec(json: unknown): ReleaseContainersSpec {
  return unmarshal(json, releaseContainersSpecValue, ZERO_RELEASE_CONTAINERS_SPEC);
}

export function decodeAutomated(json: unknown): Automated {
  return unmarshal(json, automatedValue, ZERO_AUTOMATED);
}

export function decodeManualSync(json: unknown): ManualSync {
  return unmarshal(json, manualSyncValue, MANUAL_SYNC);
}

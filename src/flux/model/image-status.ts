/** `v6.ImageStatus`: a workload's containers and their images, as `ListImages` returns them. */
import { goObject, goSlice as encSlice } from './go-encode.js';
import { field, goSlice, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeResourceId, resourceIdValue, ResourceId } from './resource-id.js';
import { containerValue, encodeContainer, ZERO_CONTAINER, type Container } from './container.js';

export interface ImageStatus {
  readonly id: ResourceId;
  readonly containers: readonly Container[] | null;
}

export const ZERO_IMAGE_STATUS: ImageStatus = Object.freeze({ id: ResourceId.ZERO, containers: null });

export function encodeImageStatus(s: ImageStatus): string {
  return goObject([
    ['ID', encodeResourceId(s.id)],
    ['Containers', encSlice(s.containers, encodeContainer)],
  ]);
}

export const imageStatusValue: ValueDecoder<ImageStatus> = goStruct<Mutable<ImageStatus>>('v6.ImageStatus', 'ImageStatus', [
  field('ID', 'id', resourceIdValue),
  field('Containers', 'containers', goSlice(containerValue, () => ZERO_CONTAINER, '[]v6.Container')),
]);

export const imageStatusListValue = goSlice(imageStatusValue, () => ZERO_IMAGE_STATUS, '[]v6.ImageStatus');

export function decodeImageStatus(json: unknown): ImageStatus {
  return unmarshal(json, imageStatusValue, ZERO_IMAGE_STATUS);
}

/** `ListImages`' result, `[]v6.ImageStatus`. */
export function encodeImageStatusList(list: readonly ImageStatus[] | null): string {
  return encSlice(list, encodeImageStatus);
}

export function decodeImageStatusList(json: unknown): readonly ImageStatus[] | null {
  return unmarshal(json, imageStatusListValue, null);
}

/**
 * Call options: `v10.ListImagesOptions` (`ListImagesWithOptions`) and `v11.ListServicesOptions`
 * (`ListServicesWithOptions`). No field is omitted; nil slices are `null`.
 */
import { goObject, goQuote, goSlice as encSlice } from './go-encode.js';
import { field, goSlice, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';
import { encodeResourceIdList, resourceIdListValue, type ResourceId } from './resource-id.js';

export interface ListImagesOptions {
  /** `update.ResourceSpec` text: `<all>` or a workload ID (not checked when decoding). */
  readonly spec: string;
  /** Container field names to compute instead of all (`null`: all). */
  readonly overrideContainerFields: readonly string[] | null;
  readonly namespace: string;
}

export interface ListServicesOptions {
  readonly namespace: string;
  readonly services: readonly ResourceId[] | null;
}

export const ZERO_LIST_IMAGES_OPTIONS: ListImagesOptions = Object.freeze({ spec: '', overrideContainerFields: null, namespace: '' });
export const ZERO_LIST_SERVICES_OPTIONS: ListServicesOptions = Object.freeze({ namespace: '', services: null });

export function encodeListImagesOptions(o: ListImagesOptions): string {
  return goObject([
    ['Spec', goQuote(o.spec)],
    ['OverrideContainerFields', encSlice(o.overrideContainerFields, goQuote)],
    ['Namespace', goQuote(o.namespace)],
  ]);
}

export function encodeListServicesOptions(o: ListServicesOptions): string {
  return goObject([
    ['Namespace', goQuote(o.namespace)],
    ['Services', encodeResourceIdList(o.services)],
  ]);
}

export const listImagesOptionsValue: ValueDecoder<ListImagesOptions> = goStruct<Mutable<ListImagesOptions>>('v10.ListImagesOptions', 'ListImagesOptions', [
  field('Spec', 'spec', goString('update.ResourceSpec')),
  field('OverrideContainerFields', 'overrideContainerFields', goSlice(goString(), () => '', '[]string')),
  field('Namespace', 'namespace', goString()),
]);

export const listServicesOptionsValue: ValueDecoder<ListServicesOptions> = goStruct<Mutable<ListServicesOptions>>(
  'v11.ListServicesOptions',
  'ListServicesOptions',
  [field('Namespace', 'namespace', goString()), field('Services', 'services', resourceIdListValue)],
);

export function decodeListImagesOptions(json: unknown): ListImagesOptions {
  return unmarshal(json, listImagesOptionsValue, ZERO_LIST_IMAGES_OPTIONS);
}

export function decodeListServicesOptions(json: unknown): ListServicesOptions {
  return unmarshal(json, listServicesOptionsValue, ZERO_LIST_SERVICES_OPTIONS);
}

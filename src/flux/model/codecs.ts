/**
 * Every wire type by the name Go prints for it: its encoder (value → Go JSON text) and decoder
 * (parsed JSON → value, as `json.Unmarshal` into a fresh value). The names are those of the golden
 * vectors (test/interop/vectors/model) and of the Go vector generator.
 */
import { goQuote } from './go-encode.js';
import { goString, unmarshal } from './go-decode.js';
import { decodeResourceId, decodeResourceIdList, encodeResourceId, encodeResourceIdList } from './resource-id.js';
import { decodeImageName, decodeImageRef, encodeImageName, encodeImageRef } from './image.js';
import { decodeImageInfo, decodeImageLabels, encodeImageInfo, encodeImageLabels } from './image-info.js';
import { decodeContainer, encodeContainer } from './container.js';
import {
  decodeControllerStatus,
  decodeControllerStatusList,
  decodeRolloutStatus,
  encodeControllerStatus,
  encodeControllerStatusList,
  encodeRolloutStatus,
} from './controller-status.js';
import { decodeImageStatus, decodeImageStatusList, encodeImageStatus, encodeImageStatusList } from './image-status.js';
import { decodeGitConfig, encodeGitConfig } from './git-config.js';
import {
  decodeAutomated,
  decodeContainerUpdate,
  decodeReleaseContainersSpec,
  decodeReleaseImageSpec,
  encodeAutomated,
  encodeContainerUpdate,
  encodeReleaseContainersSpec,
  encodeReleaseImageSpec,
} from './release-spec.js';
import { decodeCause, decodeUpdateSpec, encodeCause, encodeUpdateSpec } from './update-spec.js';
import { decodeUpdateResult, decodeWorkloadResult, encodeUpdateResult, encodeWorkloadResult } from './update-result.js';
import { decodePolicySet, decodePolicyUpdate, decodePolicyUpdates, encodePolicySet, encodePolicyUpdate, encodePolicyUpdates } from './policy.js';
import { decodeJobId, decodeJobResult, decodeJobStatus, encodeJobId, encodeJobResult, encodeJobStatus } from './job.js';
import { decodeChange, encodeChange } from './change.js';
import { decodeListImagesOptions, decodeListServicesOptions, encodeListImagesOptions, encodeListServicesOptions } from './options.js';
import { decodeFluxError, encodeFluxError, type FluxError } from './flux-error.js';
import { decodeBytes, encodeBytes } from './export.js';
import { decodeEvent, encodeEvent } from './event.js';

export interface ModelCodec<T> {
  encode(value: T): string;
  decode(json: unknown): T;
}

function codec<T>(encode: (value: T) => string, decode: (json: unknown) => T): ModelCodec<T> {
  return { encode, decode };
}

const plainString = (goType: string): ModelCodec<string> =>
  codec(goQuote, (json) => unmarshal(json, goString(goType), ''));

export const MODEL_CODECS = {
  'resource.ID': codec(encodeResourceId, decodeResourceId),
  '[]resource.ID': codec(encodeResourceIdList, decodeResourceIdList),
  'image.Name': codec(encodeImageName, decodeImageName),
  'image.Ref': codec(encodeImageRef, decodeImageRef),
  'image.Labels': codec(encodeImageLabels, decodeImageLabels),
  'image.Info': codec(encodeImageInfo, decodeImageInfo),
  'v6.Container': codec(encodeContainer, decodeContainer),
  'cluster.RolloutStatus': codec(encodeRolloutStatus, decodeRolloutStatus),
  'v6.ControllerStatus': codec(encodeControllerStatus, decodeControllerStatus),
  '[]v6.ControllerStatus': codec(encodeControllerStatusList, decodeControllerStatusList),
  'v6.ImageStatus': codec(encodeImageStatus, decodeImageStatus),
  '[]v6.ImageStatus': codec(encodeImageStatusList, decodeImageStatusList),
  'v6.GitConfig': codec(encodeGitConfig, decodeGitConfig),
  'update.ResourceSpec': plainString('update.ResourceSpec'),
  'update.ImageSpec': plainString('update.ImageSpec'),
  'update.Cause': codec(encodeCause, decodeCause),
  'update.ReleaseImageSpec': codec(encodeReleaseImageSpec, decodeReleaseImageSpec),
  'update.Automated': codec(encodeAutomated, decodeAutomated),
  'update.ReleaseContainersSpec': codec(encodeReleaseContainersSpec, decodeReleaseContainersSpec),
  'update.ContainerUpdate': codec(encodeContainerUpdate, decodeContainerUpdate),
  'update.Spec': codec(encodeUpdateSpec, decodeUpdateSpec),
  'update.WorkloadResult': codec(encodeWorkloadResult, decodeWorkloadResult),
  'update.Result': codec(encodeUpdateResult, decodeUpdateResult),
  'policy.Set': codec(encodePolicySet, decodePolicySet),
  'resource.PolicyUpdate': codec(encodePolicyUpdate, decodePolicyUpdate),
  'resource.PolicyUpdates': codec(encodePolicyUpdates, decodePolicyUpdates),
  'job.ID': codec(encodeJobId, decodeJobId),
  'job.Result': codec(encodeJobResult, decodeJobResult),
  'job.Status': codec(encodeJobStatus, decodeJobStatus),
  'v9.Change': codec(encodeChange, decodeChange),
  'v10.ListImagesOptions': codec(encodeListImagesOptions, decodeListImagesOptions),
  'v11.ListServicesOptions': codec(encodeListServicesOptions, decodeListServicesOptions),
  // A `*fluxerr.Error`: `null` is a nil pointer.
  'fluxerr.Error': codec((e: FluxError | null) => (e === null ? 'null' : encodeFluxError(e)), decodeFluxError),
  '[]byte': codec(encodeBytes, decodeBytes),
  'event.Event': codec(encodeEvent, decodeEvent),
} as const;

export type ModelTypeName = keyof typeof MODEL_CODECS;

/** The codec for a type name, for callers that hold the name as data. */
export function modelCodec(name: string): ModelCodec<unknown> | undefined {
  return Object.hasOwn(MODEL_CODECS, name) ? (MODEL_CODECS[name as ModelTypeName] as ModelCodec<unknown>) : undefined;
}

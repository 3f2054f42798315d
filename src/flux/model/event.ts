/**
 * `event.Event`, the body of `POST /v6/events`. Times use Go's standard `time.Time` JSON: RFC 3339
 * with nanoseconds in the value's own offset, the zero time as `0001-01-01T00:00:00Z`. Metadata
 * depends on the type (see `event-metadata.ts`) and is omitted when there is none.
 *
 * Decoding follows Go 1.19: `Event type is empty` without a type; the typed metadata kinds require
 * a `metadata` key (`unexpected end of JSON input`) although Go omits nil metadata when encoding.
 */
import { goInt as encInt, goObject, goQuote, omitEmptyString } from './go-encode.js';
import { field, goInt, goRaw, goString, goStruct, unmarshal, type ValueDecoder } from './go-decode.js';
import { EventDecodeError, ModelEncodeError } from './errors.js';
import { GoTime, parseRFC3339 } from './go-time.js';
import { encodeResourceIdList, resourceIdListValue, type ResourceId } from './resource-id.js';
import { decodeEventMetadata, encodeEventMetadata, type EventMetadata } from './event-metadata.js';
import { GoText } from '../../runtime/go-text.js';

export const EventType = {
  Commit: 'commit',
  Sync: 'sync',
  Release: 'release',
  AutoRelease: 'autorelease',
  Automate: 'automate',
  Deautomate: 'deautomate',
  Lock: 'lock',
  Unlock: 'unlock',
  UpdatePolicy: 'update_policy',
  Other: 'other',
} as const;

export const LogLevel = { Debug: 'debug', Info: 'info', Warn: 'warn', Error: 'error' } as const;

export interface FluxEvent {
  /** Go's `EventID` (int64); the daemon sends 0. */
  readonly id: number;
  readonly serviceIds: readonly ResourceId[] | null;
  readonly type: string;
  readonly startedAt: GoTime;
  readonly endedAt: GoTime;
  readonly logLevel: string;
  /** Omitted when `""`. */
  readonly message: string;
  /** `null`: no metadata (omitted). */
  readonly metadata: EventMetadata | null;
}

export const ZERO_EVENT: FluxEvent = Object.freeze({
  id: 0,
  serviceIds: null,
  type: '',
  startedAt: GoTime.ZERO,
  endedAt: GoTime.ZERO,
  logLevel: '',
  message: '',
  metadata: null,
});

/** `time.Time.MarshalJSON`: fails, as in Go, for years outside 0…9999. */
export function encodeGoTimeJson(t: GoTime): string {
  const y = t.year();
  if (y < 0 || y > 9999) throw new ModelEncodeError(GoText.timeYearOutOfRange);
  return goQuote(t.format());
}

/**
 * Go 1.19's `(*time.Time).UnmarshalJSON`: `null` leaves the time unchanged; anything else is parsed
 * from its JSON text with the quoted layout (so non-strings fail, with Go's texts).
 */
export const goTimeJsonValue: ValueDecoder<GoTime> = (json, _d, current) => {
  if (json === null) return current;
  return parseRFC3339(JSON.stringify(json), true);
};

export function encodeEvent(e: FluxEvent): string {
  return goObject([
    ['id', encInt(e.id)],
    ['serviceIDs', encodeResourceIdList(e.serviceIds)],
    ['type', goQuote(e.type)],
    ['startedAt', encodeGoTimeJson(e.startedAt)],
    ['endedAt', encodeGoTimeJson(e.endedAt)],
    ['logLevel', goQuote(e.logLevel)],
    omitEmptyString('message', e.message),
    e.metadata === null ? undefined : ['metadata', encodeEventMetadata(e.metadata)],
  ]);
}

type EventWire = { -readonly [K in keyof FluxEvent]: FluxEvent[K] } & { rawMetadata: unknown };

// The wire struct embeds `*event.alias`; Go 1.19 names the (anonymous) outer struct in type errors.
const eventWireValue = goStruct<EventWire>('struct { *event.alias; MetadataBytes json.RawMessage "json:\\"metadata,omitempty\\"" }', '', [
  field('id', 'id', goInt('int64', 'event.EventID')),
  field('serviceIDs', 'serviceIds', resourceIdListValue),
  field('type', 'type', goString()),
  field('startedAt', 'startedAt', goTimeJsonValue),
  field('endedAt', 'endedAt', goTimeJsonValue),
  field('logLevel', 'logLevel', goString()),
  field('message', 'message', goString()),
  field('metadata', 'rawMetadata', goRaw),
]);

/** `(*event.Event).UnmarshalJSON`. */
export const eventValue: ValueDecoder<FluxEvent> = (json, _d, current) => {
  const { rawMetadata, ...e } = unmarshal<EventWire>(json, eventWireValue, { ...current, rawMetadata: undefined });
  if (e.type === '') throw new EventDecodeError('Event type is empty');
  return { ...e, metadata: decodeEventMetadata(e.type, rawMetadata, e.metadata) };
};

export function decodeEvent(json: unknown): FluxEvent {
  return unmarshal(json, eventValue, ZERO_EVENT);
}

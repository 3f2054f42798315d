/**
 * Where things live on NATS, and how an instance name becomes part of a subject or a key.
 *
 * A name is written as `i` + base64url of its UTF-8 bytes (no padding): only `A-Z a-z 0-9 - _`,
 * never empty, never `.`, `*`, `>` or a space, so whatever the name holds (dots, wildcards,
 * spaces, any script) it is exactly one subject token and one KV key, and two names never share
 * one (the encoding is injective; decoding accepts only the canonical form). The historic bus put
 * the raw instance ID in its subjects (docs/rpc.md §10), where `a.b` or `*` would have crossed
 * into other instances' subjects.
 *
 * - KV bucket `fluxrpc-owners` (stream `KV_fluxrpc-owners`), key `<name>`: which replica holds the
 *   instance's daemon (ownership.ts).
 * - `fluxrpc.call.<name>`: calls for the instance, subscribed (queue group `owner`) only by the
 *   replica holding its daemon (forward.ts).
 * - Stream `FLUXRPC_EVENTS`, subjects `fluxrpc.events.<name>`: the instance's events (events.ts).
 * - Replies and chunks travel on each replica's own inbox, `_INBOX.<nuid>.<call>` (transfer.ts).
 */

export const OWNERS_BUCKET = 'fluxrpc-owners';
export const EVENTS_STREAM = 'FLUXRPC_EVENTS';
export const CALL_QUEUE = 'owner';
const CALL_PREFIX = 'fluxrpc.call.';
const EVENTS_PREFIX = 'fluxrpc.events.';
export const EVENTS_SUBJECTS = `${EVENTS_PREFIX}*`;

/** The longest instance name (UTF-8 bytes) the cluster takes: keeps subjects far below NATS's control-line limit. */
export const MAX_INSTANCE_BYTES = 1024;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const TOKEN = /^i[A-Za-z0-9_-]*$/;

export class InstanceNameError extends Error {
  override name = 'InstanceNameError';
  readonly code = 'FLUXRPC_ERR_INSTANCE_NAME';
}

/** The name as one subject token / KV key. Throws for a name that is not valid Unicode or too long. */
export function encodeInstance(name: string): string {
  // UTF-8 would turn every lone surrogate into U+FFFD, so two such names would share a token.
  if (LONE_SURROGATE.test(name)) throw new InstanceNameError(`instance name ${JSON.stringify(name)} is not valid Unicode (a lone surrogate)`);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > MAX_INSTANCE_BYTES) throw new InstanceNameError(`instance name is ${bytes.length} bytes long; the cluster takes at most ${MAX_INSTANCE_BYTES}`);
  return 'i' + bytes.toString('base64url');
}

/** The name a token stands for; throws for anything `encodeInstance` does not produce. */
export function decodeInstance(token: string): string {
  if (!TOKEN.test(token)) throw new InstanceNameError(`not an encoded instance name: ${JSON.stringify(token.slice(0, 100))}`);
  const name = Buffer.from(token.slice(1), 'base64url').toString('utf8');
  if (encodeInstance(name) !== token) throw new InstanceNameError(`not the canonical encoding of an instance name: ${JSON.stringify(token.slice(0, 100))}`);
  return name;
}

export function callSubject(instance: string): string {
  return CALL_PREFIX + encodeInstance(instance);
}

export function eventsSubject(instance: string): string {
  return EVENTS_PREFIX + encodeInstance(instance);
}

/** The instance of an events subject, or undefined for a subject that is not one. */
export function instanceOfEventsSubject(subject: string): string | undefined {
  if (!subject.startsWith(EVENTS_PREFIX)) return undefined;
  try {
    return decodeInstance(subject.slice(EVENTS_PREFIX.length));
  } catch {
    return undefined;
  }
}

/**
 * Which instance names the hub accepts (the tokens file, `HubOptions.tokens`). Flux's issue says
 * instance names may contain any characters, so the rule only keeps out what no place that shows or
 * uses a name could carry faithfully:
 * - not empty;
 * - at most 253 bytes of UTF-8 (a DNS name's length; far below the cluster's subject limit);
 * - no control characters: C0 (U+0000–U+001F), DEL (U+007F), C1 (U+0080–U+009F): they would
 *   corrupt log lines, terminals and headers, and no one can type them;
 * - no lone surrogates (U+D800–U+DFFF unpaired): not Unicode, UTF-8 would turn each into U+FFFD and
 *   two names into one.
 * Anything else goes: spaces, `.`, `/`, `*`, `>`, `%`, quotes, `<`, any script, emoji. NFC is not
 * required (two names that differ only in normalization are two instances).
 *
 * Where names go, they are made safe there: HTML escaped (status page, dashboard), encoded as one
 * path segment in the dashboard's URLs (src/dashboard/paths.ts), JSON in log lines and events,
 * base64url on NATS (src/hub/cluster/names.ts); the Flux HTTP API never takes a name in its URL
 * (the token names the instance), and no metric has an instance label.
 */
import { Buffer } from 'node:buffer';

export const MAX_INSTANCE_NAME_BYTES = 253;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** With the `u` flag a surrogate pair is one code point, so this matches unpaired halves only. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `name` is not an acceptable instance name, or undefined when it is. */
export function instanceNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  const control = CONTROL.exec(name);
  if (control) return `it holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (LONE_SURROGATE.test(name)) return 'it is not valid Unicode (a lone surrogate)';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_INSTANCE_NAME_BYTES) return `it is ${bytes} bytes of UTF-8; at most ${MAX_INSTANCE_NAME_BYTES}`;
  return undefined;
}

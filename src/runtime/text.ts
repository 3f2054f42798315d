/**
 * Bounding text that comes from a peer before it is stored, logged or shown: a daemon's 30 MB error
 * message must cost a few KiB wherever it ends up.
 */

/** Default bound for a peer's text that the hub keeps (last errors, event messages shown). */
export const MAX_KEPT_TEXT = 1024;

/**
 * `text` cut to at most `max` UTF-16 units (never inside a surrogate pair), followed by a marker
 * with the original length (`total`, default `text.length`) when anything was cut.
 */
export function truncate(text: string, max: number, total = text.length): string {
  if (text.length <= max && total <= text.length) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, Math.min(end, text.length))}…[cut: ${total} characters in all]`;
}

/**
 * Tag globs with the semantics of ryanuber/go-glob v1.0.0 (docs/types.md §15.1): `*` stands for any run
 * of characters, including none; every other character, `?` and `[` included, is literal, and
 * there is no escaping.
 */

/**
 * Whether `subject` matches `pattern`. The pattern's `*`-separated parts must appear in order and
 * without overlap: the first as a prefix, each middle one at its first occurrence after the
 * previous, the last as a suffix of what remains. An empty pattern matches only the empty subject.
 */
export function globMatch(pattern: string, subject: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return subject === pattern;
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  if (!subject.startsWith(head)) return false;
  let pos = head.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const at = subject.indexOf(part, pos);
    if (at < 0) return false;
    pos = at + part.length;
  }
  return subject.length - pos >= tail.length && subject.endsWith(tail);
}

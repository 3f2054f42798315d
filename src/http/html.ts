/** Go's `html.EscapeString`: `&`, `<`, `>`, `"` and `'` as `&amp;` `&lt;` `&gt;` `&#34;` `&#39;`. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}

/**
 * The one template function of the dashboard: `` html`<td>${value}</td>` `` escapes every
 * interpolated value with `htmlEscape` (`&<>"'`), unless the value is itself the result of `html`.
 * Arrays are joined; `null`, `undefined` and `false` render nothing. Templates put attribute
 * values in double quotes, so escaped text can never leave an attribute or a text node.
 *
 * Links built from a peer's text go through `safeHref`, which only lets `http(s):` URLs and local
 * paths through (no `javascript:` or `data:` URL can reach an `href`).
 */
import { htmlEscape } from '../http/html.js';

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.text;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return htmlEscape(String(v));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** `url` when it is an absolute http(s) URL or a local path (`/…`, not `//…`), else undefined. */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (/^\/(?![/\\])/.test(url)) return url;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link to `url` if it is safe (see `safeHref`), else the text alone. */
export function link(url: string | undefined, text: HtmlValue, attrs: SafeHtml = html``): SafeHtml {
  const href = safeHref(url);
  return href === undefined ? html`${text}` : html`<a href="${href}"${attrs}>${text}</a>`;
}

/** Error pages: what went wrong, in words, with a way back. */
import { html } from '../html.js';
import type { Viewer } from '../auth.js';
import { layout, notice } from './ui.js';

export function errorPage(viewer: Viewer | undefined, title: string, message: string) {
  return layout({ title, viewer }, html`<h1>${title}</h1>${notice('error', message)}<p><a href="/">Back to the fleet</a></p>`);
}

/** Small pieces shared by the pages: the layout, times, badges, CSRF fields, notices. */
import { PACKAGE_VERSION } from '../../runtime/version.js';
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';

export const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function ago(d: Date, now = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** A time with its exact value in `datetime` and `title`, shown relative. */
export function time(d: Date | undefined): SafeHtml {
  return d ? html`<time datetime="${iso(d)}" title="${iso(d)}">${ago(d)}</time>` : html`<span class="muted">—</span>`;
}

export function badge(text: HtmlValue, kind: string, title?: string): SafeHtml {
  return html`<span class="badge badge-${kind}"${title ? html` title="${title}"` : ''}>${text}</span>`;
}

export function csrfField(viewer: Viewer): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrf}">`;
}

export function notice(kind: 'error' | 'ok' | 'info', text: HtmlValue): SafeHtml {
  return html`<p class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
}

export function shortRev(rev: string): string {
  return /^[0-9a-f]{8,}$/i.test(rev) ? rev.slice(0, 7) : rev;
}

export interface LayoutOptions {
  title: string;
  viewer?: Viewer;
  /** Which nav entry is current. */
  section?: 'fleet' | 'events' | 'notifications';
  /** The live stream this page listens to (undefined: none). */
  live?: string;
  crumbs?: [string, string | undefined][];
  /** Seconds after which a browser without JavaScript reloads (a job still running). */
  refresh?: number;
}

export function layout(o: LayoutOptions, body: HtmlValue): SafeHtml {
  const v = o.viewer;
  const nav = (key: LayoutOptions['section'], href: string, text: string) => html`<a href="${href}"${o.section === key ? html` aria-current="page"` : ''}>${text}</a>`;
  const crumbs = o.crumbs?.length
    ? html`<nav class="crumbs" aria-label="Breadcrumb"><ol>${o.crumbs.map(([text, href]) => html`<li>${href ? html`<a href="${href}">${text}</a>` : html`<span aria-current="page">${text}</span>`}</li>`)}</ol></nav>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.refresh ? html`<noscript><meta http-equiv="refresh" content="${o.refresh}"></noscript>` : ''}
<title>${o.title} · fluxrpc</title>
<link rel="stylesheet" href="${paths.asset('dashboard.css')}">
<link rel="icon" href="${paths.asset('favicon.svg')}" type="image/svg+xml">
${v ? html`<script type="module" src="${paths.asset('main.js')}"></script>` : ''}
</head>
<body${o.live ? html` data-live="${o.live}"` : ''}${v ? html` data-csrf="${v.csrf}"` : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">fluxrpc</a>
${v ? html`<nav class="main-nav" aria-label="Main">${nav('fleet', paths.fleet(), 'Fleet')}${nav('events', paths.events(), 'Events')}${nav('notifications', paths.notifications(), 'Notifications')}</nav>
<div class="who"><span class="user">${v.user.name}</span> ${badge(v.user.role, 'role')}${v.session ? html`<form method="post" action="${paths.logout()}" class="inline">${csrfField(v)}<button type="submit" class="link">Sign out</button></form>` : ''}</div>` : ''}
</header>
<main id="main" tabindex="-1">
${crumbs}
${body}
</main>
<footer class="foot">fluxrpc ${PACKAGE_VERSION}${o.live ? html` · <span id="live-status" role="status" aria-live="polite">live updates off</span>` : ''}</footer>
</body>
</html>
`;
}

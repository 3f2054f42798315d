/**
 * The hub's status page (`GET /`): plain HTML, no scripts, refreshed by the browser every 10 s.
 * Lists each instance (connected or not) with its protocol version, connected-since, last error,
 * and the most recent events. Every text a daemon supplied is cut to `MAX_MESSAGE_CHARS`, and at
 * most `MAX_PAGE_INSTANCES` instances are listed per page, so the page stays small whatever the
 * daemons send and however large the fleet. Tokens never appear; every value is HTML-escaped.
 */
import { htmlEscape } from '../http/html.js';
import { truncate } from '../runtime/text.js';
import type { StoredEvent } from './events.js';
import type { InstanceStatus } from './registry.js';

/**
 * Texts a daemon supplied (event messages, workload lists, last errors, user agents, remote
 * addresses) longer than this are cut on the page (`GET <base>/v6/events` has the kept events).
 */
export const MAX_MESSAGE_CHARS = 300;

/** Instances listed per page (`?offset=N` shows the next ones); keeps the page small for a fleet. */
export const MAX_PAGE_INSTANCES = 200;

const cut = (s: string) => truncate(s, MAX_MESSAGE_CHARS);

const iso = (d: Date | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

function ago(d: Date | undefined, now: Date): string {
  if (!d) return '';
  const s = Math.max(0, Math.round((now.getTime() - d.getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export interface StatusPageData {
  /** In cluster mode each carries the replica holding its daemon. */
  instances: (InstanceStatus & { replica?: string | undefined })[];
  events: (StoredEvent & { instance: string })[];
  startedAt: Date;
  now: Date;
  version: string;
  /** Cluster mode: this replica's name and the first line of its health (`ok` or `degraded: …`); adds a Replica column. */
  cluster?: { replica: string; health: string };
  /** The first instance listed (default 0). */
  offset?: number;
}

export function renderStatusPage(d: StatusPageData): string {
  const e = htmlEscape;
  const connected = d.instances.filter((i) => i.connected).length;
  const offset = Math.min(Math.max(0, Math.floor(d.offset ?? 0)), Math.max(0, d.instances.length - 1));
  const shown = d.instances.slice(offset, offset + MAX_PAGE_INSTANCES);
  const rows = shown
    .map((i) => {
      const state = i.connected ? '<span class="ok">connected</span>' : '<span class="down">not connected</span>';
      const since = i.connected ? `<time datetime="${e(iso(i.connectedSince))}">${e(iso(i.connectedSince))}</time> <small>(${e(ago(i.connectedSince, d.now))})</small>` : '';
      const err = i.lastError ? `${e(cut(i.lastError))} <small>(${e(ago(i.lastErrorAt, d.now))})</small>` : '';
      const replica = d.cluster ? `<td class="replica">${e(cut(i.replica ?? ''))}</td>` : '';
      return `<tr data-instance="${e(i.instance)}" data-connected="${i.connected}"><td>${e(i.instance)}</td><td>${state}</td><td>${i.protocol === undefined ? '' : `v${i.protocol}`}</td><td>${since}</td><td>${e(cut(i.remote ?? ''))}</td><td>${e(cut(i.userAgent ?? ''))}</td><td class="err">${err}</td>${replica}</tr>`;
    })
    .join('\n');
  const pages =
    d.instances.length <= MAX_PAGE_INSTANCES
      ? ''
      : `<p class="meta" id="pages">Instances ${offset + 1}–${offset + shown.length} of ${d.instances.length}${offset > 0 ? ` · <a href="/?offset=${Math.max(0, offset - MAX_PAGE_INSTANCES)}">previous</a>` : ''}${offset + shown.length < d.instances.length ? ` · <a href="/?offset=${offset + MAX_PAGE_INSTANCES}">next</a>` : ''}</p>\n`;
  const events = d.events
    .map((ev) => {
      const ids = (ev.event.serviceIds ?? []).map((x) => x.toString()).join(', ');
      return `<tr><td><time datetime="${e(iso(ev.receivedAt))}">${e(iso(ev.receivedAt))}</time></td><td>${e(ev.instance)}</td><td>${e(cut(ev.event.type))}</td><td>${e(cut(ids))}</td><td>${e(cut(ev.event.message))}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="10">
<title>fluxrpc hub</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0 2em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.ok { color: #11722f; font-weight: 600; }
.down { color: #a33; font-weight: 600; }
.err { color: #a33; }
small, .meta { color: #666; }
</style>
</head>
<body>
<h1>fluxrpc hub</h1>
<p class="meta">${connected} of ${d.instances.length} instance(s) connected · up since ${e(iso(d.startedAt))} · fluxrpc ${e(d.version)} · <a href="/metrics">metrics</a> · <a href="/healthz">health</a></p>${d.cluster ? `\n<p class="meta" id="cluster">cluster mode · this replica: <b>${e(d.cluster.replica)}</b> · ${d.cluster.health.startsWith('ok') ? '<span class="ok">NATS ok</span>' : `<span class="down">${e(d.cluster.health)}</span>`}</p>` : ''}
<h2>Instances</h2>
${pages}<table id="instances">
<thead><tr><th>Instance</th><th>State</th><th>Protocol</th><th>Connected since</th><th>Remote</th><th>User agent</th><th>Last error</th>${d.cluster ? '<th>Replica</th>' : ''}</tr></thead>
<tbody>
${rows || `<tr><td colspan="${d.cluster ? 8 : 7}">No instances configured.</td></tr>`}
</tbody>
</table>
<h2>Recent events</h2>
<table id="events">
<thead><tr><th>Received</th><th>Instance</th><th>Type</th><th>Workloads</th><th>Message</th></tr></thead>
<tbody>
${events || '<tr><td colspan="5">No events yet.</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}

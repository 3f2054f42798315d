/** Event timelines (per instance and fleet-wide) and the one row renderer the live stream also uses. */
import type { StoredEvent } from '../../hub/events.js';
import { commitUrl } from '../../notify/git-url.js';
import { clip, MAX_MESSAGE } from '../data.js';
import { html, link, type SafeHtml } from '../html.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import { badge, layout, shortRev, time } from './ui.js';

/** Event types a filter offers (Flux's). */
export const EVENT_TYPES = ['sync', 'commit', 'release', 'autorelease', 'automate', 'deautomate', 'lock', 'unlock', 'update_policy', 'other'];

/** The revisions an event names, newest first. */
export function eventRevisions(e: StoredEvent): string[] {
  const m = e.event.metadata;
  if (!m) return [];
  if (m.kind === 'sync') return (m.commits ?? []).map((c) => c.revision).slice(0, 10);
  if (m.kind === 'commit' || m.kind === 'release' || m.kind === 'autorelease') return m.revision ? [m.revision] : [];
  if (m.kind === 'unknown') {
    const r = m.value?.get('revision');
    return typeof r === 'string' && r !== '' ? [r] : [];
  }
  return [];
}

export function eventUser(e: StoredEvent): string | undefined {
  const m = e.event.metadata;
  if (m?.kind === 'release') return m.cause.user || undefined;
  if (m?.kind === 'commit') return m.spec?.cause.user || undefined;
  if (m?.kind === 'unknown') {
    const u = m.value?.get('user');
    return typeof u === 'string' && u !== '' ? u : undefined;
  }
  return undefined;
}

export function eventRow(instance: string, e: StoredEvent, gitUrl: string | undefined, showInstance: boolean): SafeHtml {
  const ev = e.event;
  const workloads = (ev.serviceIds ?? []).slice(0, 20).map((id) => id.toString());
  const more = (ev.serviceIds ?? []).length - workloads.length;
  const user = eventUser(e);
  const commits = eventRevisions(e).map((r) => link(commitUrl(gitUrl, r), html`<code>${shortRev(clip(r, 64))}</code>`, html` class="commit"`));
  const level = ev.logLevel === 'error' ? 'error' : ev.logLevel === 'warn' ? 'warn' : 'info';
  return html`<li class="event level-${level}" data-seq="${e.seq}" data-type="${clip(ev.type, 64)}">
<div class="event-head">${time(e.receivedAt)} ${badge(clip(ev.type, 64), 'type')}${showInstance ? html` <a class="instance" href="${paths.instance(instance)}">${instance}</a>` : ''}${user ? html` <span class="by">by ${clip(user, 64)}</span>` : ''}</div>
<p class="event-msg">${clip(ev.message, MAX_MESSAGE) || html`<span class="muted">(no message)</span>`}</p>
${workloads.length > 0 ? html`<p class="event-workloads">${workloads.map((w) => html`<a href="${paths.workload(instance, w)}">${w}</a> `)}${more > 0 ? html`<span class="muted">and ${more} more</span>` : ''}</p>` : ''}
${commits.length > 0 ? html`<p class="event-commits">Commit ${commits}</p>` : ''}
</li>`;
}

export interface EventsPageData {
  viewer: Viewer;
  instance: string | undefined;
  events: (StoredEvent & { instance: string })[];
  gitUrl: (instance: string) => string | undefined;
  filter: { type: string; workload: string };
}

export function eventsPage(d: EventsPageData) {
  const action = d.instance ? paths.instanceEvents(d.instance) : paths.events();
  const title = d.instance ? `Events · ${d.instance}` : 'Events';
  return layout(
    {
      title,
      viewer: d.viewer,
      section: d.instance ? undefined : 'events',
      live: paths.live(d.instance),
      crumbs: d.instance ? [['Fleet', paths.fleet()], [d.instance, paths.instance(d.instance)], ['Events', undefined]] : undefined,
    },
    html`<h1>${title}</h1>
<form method="get" action="${action}" class="filters" role="search">
<label for="f-type">Type</label>
<select id="f-type" name="type"><option value="">All types</option>${EVENT_TYPES.map((t) => html`<option${t === d.filter.type ? html` selected` : ''}>${t}</option>`)}</select>
<label for="f-workload">Workload</label>
<input id="f-workload" name="workload" value="${d.filter.workload}" placeholder="e.g. default:deployment/app">
<button type="submit">Filter</button>
</form>
<ol class="timeline" id="timeline" data-filter-type="${d.filter.type}" data-filter-workload="${d.filter.workload}">
${d.events.length === 0 ? html`<li class="empty">No events${d.filter.type || d.filter.workload ? ' match the filter' : ' yet'}.</li>` : d.events.map((e) => eventRow(e.instance, e, d.gitUrl(e.instance), d.instance === undefined))}
</ol>`,
  );
}

/** Whether an event passes the page's filter. */
export function matchesFilter(e: StoredEvent, f: { type: string; workload: string }): boolean {
  if (f.type && e.event.type !== f.type) return false;
  if (f.workload && !(e.event.serviceIds ?? []).some((id) => id.toString().includes(f.workload))) return false;
  return true;
}

/** One instance: its workloads with status, containers, images and policy badges; filters. */
import type { WorkloadView } from '../data.js';
import { html, type SafeHtml } from '../html.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import { allowed } from '../users.js';
import type { InstanceStatus } from '../../hub/registry.js';
import { badge, csrfField, layout, notice } from './ui.js';
import { instanceStateCell } from './fleet.js';

export function statusBadge(w: WorkloadView): SafeHtml {
  const kind = w.status === 'ready' ? 'ok' : w.status === 'updating' || w.status === 'started' ? 'updating' : w.status === 'error' ? 'error' : 'unknown';
  return badge(w.status || 'unknown', kind);
}

export function policyBadges(w: WorkloadView): SafeHtml {
  return html`${w.automated ? badge('automated', 'automated') : ''}${w.locked ? badge('locked', 'locked', [w.lockedMsg, w.lockedUser ? `by ${w.lockedUser}` : ''].filter(Boolean).join(' — ') || undefined) : ''}${w.ignore ? badge('ignored', 'unknown') : ''}${w.containers.filter((c) => c.tagPattern).map((c) => badge(`${c.name}: ${c.tagPattern}`, 'tag', `tag filter of container ${c.name}`))}`;
}

export function rollout(w: WorkloadView): SafeHtml {
  const r = w.rollout;
  return html`<span class="rollout" title="ready / desired; updated; outdated">${r.ready}/${r.desired} ready${r.updated !== r.desired ? html`, ${r.updated} updated` : ''}${r.outdated > 0 ? html`, ${r.outdated} outdated` : ''}</span>`;
}

function workloadRow(instance: string, w: WorkloadView): SafeHtml {
  return html`<tbody class="workload" data-id="${w.id}" data-ns="${w.namespace}" data-search="${(w.id + ' ' + w.containers.map((c) => `${c.name} ${c.current}`).join(' ')).toLowerCase()}">
${w.containers.map(
  (c, i) => html`<tr>
${i === 0 ? html`<th scope="rowgroup" rowspan="${w.containers.length}"><a href="${paths.workload(instance, w.id)}">${w.id}</a><div class="badges">${policyBadges(w)}</div>${w.syncError ? html`<div class="err">${w.syncError}</div>` : ''}</th>
<td data-label="Status" rowspan="${w.containers.length}">${statusBadge(w)} ${rollout(w)}</td>` : ''}
<td data-label="Container">${c.name}</td>
<td data-label="Current image"><code>${c.current}</code></td>
<td data-label="Newest allowed">${c.latest === undefined ? html`<span class="muted">${c.availableError || '—'}</span>` : c.newer ? html`<code class="newer">${c.latestTag}</code> ${badge('newer', 'newer')}` : html`<span class="muted">up to date</span>`}</td>
</tr>`,
)}
${w.containers.length === 0 ? html`<tr><th scope="rowgroup"><a href="${paths.workload(instance, w.id)}">${w.id}</a><div class="badges">${policyBadges(w)}</div></th><td data-label="Status">${statusBadge(w)} ${rollout(w)}</td><td colspan="3" class="muted">no containers</td></tr>` : ''}
</tbody>`;
}

export interface InstancePageData {
  viewer: Viewer;
  status: InstanceStatus;
  workloads: WorkloadView[] | undefined;
  error: string | undefined;
  namespaces: string[];
  filter: { ns: string; q: string };
  flash?: string;
}

export function instancePage(d: InstancePageData) {
  const i = d.status.instance;
  const deploy = allowed(d.viewer.user, 'deploy', i);
  const q = d.filter.q.toLowerCase();
  const shown = (d.workloads ?? []).filter((w) => (!d.filter.ns || w.namespace === d.filter.ns) && (!q || (w.id + ' ' + w.containers.map((c) => `${c.name} ${c.current}`).join(' ')).toLowerCase().includes(q)));
  return layout(
    { title: i, viewer: d.viewer, live: paths.live(i), crumbs: [['Fleet', paths.fleet()], [i, undefined]] },
    html`<div class="title-row"><h1>${i}</h1> ${instanceStateCell(d.status)} ${d.status.protocol ? badge(`protocol v${d.status.protocol}`, 'muted') : ''}</div>
<nav class="actions" aria-label="Instance">
<a href="${paths.instanceEvents(i)}">Events</a>
<a href="${paths.git(i)}">Git repository &amp; deploy key</a>
${deploy ? html`<a class="button primary" href="${paths.release(i)}">Release…</a>
<form method="post" action="${paths.sync(i)}" class="inline">${csrfField(d.viewer)}<button type="submit">Sync now</button></form>` : ''}
</nav>
${d.flash ? notice('ok', d.flash) : ''}
${d.error ? notice('error', `Could not list workloads: ${d.error}`) : ''}
<form method="get" action="${paths.instance(i)}" class="filters" role="search" id="workload-filter">
<label for="f-ns">Namespace</label>
<select id="f-ns" name="ns"><option value="">All namespaces</option>${d.namespaces.map((n) => html`<option${n === d.filter.ns ? html` selected` : ''}>${n}</option>`)}</select>
<label for="f-q">Search</label>
<input id="f-q" name="q" type="search" value="${d.filter.q}" placeholder="workload, container or image">
<button type="submit">Filter</button>
</form>
<p class="meta" id="workload-count" aria-live="polite">${shown.length} of ${(d.workloads ?? []).length} workload(s)</p>
<div class="table-wrap">
<table class="workloads responsive" id="workloads">
<caption class="sr-only">Workloads of ${i}</caption>
<thead><tr><th scope="col">Workload</th><th scope="col">Status</th><th scope="col">Container</th><th scope="col">Current image</th><th scope="col">Newest allowed by policy</th></tr></thead>
${shown.map((w) => workloadRow(i, w))}
</table>
</div>`,
  );
}

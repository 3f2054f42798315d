/** The fleet: every instance the viewer may see, with its connection and what its daemon reports. */
import type { InstanceSummary } from '../data.js';
import { html, link, type SafeHtml } from '../html.js';
import { commitUrl } from '../../notify/git-url.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import { badge, layout, shortRev, time } from './ui.js';

/** The state of an instance; in cluster mode with the replica holding its daemon. */
export function instanceStateCell(s: InstanceSummary['status']): SafeHtml {
  if (!s.connected) return badge('not connected', 'down');
  return s.replica === undefined ? badge('connected', 'ok') : html`${badge('connected', 'ok')} <small class="replica">on replica <b>${s.replica}</b></small>`;
}

/** The fleet table's state cell: the state, and since when (or when last seen). Also sent live. */
export function fleetStateCell(st: InstanceSummary['status']): SafeHtml {
  return html`${instanceStateCell(st)}${st.connected ? html` <small>since ${time(st.connectedSince)}</small>` : st.lastSeen ? html` <small>last seen ${time(st.lastSeen)}</small>` : ''}`;
}

/** The fleet table's protocol cell text. Also sent live. */
export function fleetProtocol(st: InstanceSummary['status']): string {
  return st.protocol === undefined ? '—' : `v${st.protocol}`;
}

function row(s: InstanceSummary, gitUrl: string | undefined): SafeHtml {
  const st = s.status;
  const i = st.instance;
  return html`<tr data-instance="${i}" data-connected="${String(st.connected)}">
<th scope="row"><a href="${paths.instance(i)}">${i}</a></th>
<td data-label="State" class="state">${fleetStateCell(st)}</td>
<td data-label="Protocol" class="protocol">${fleetProtocol(st)}</td>
<td data-label="Daemon">${s.version ?? (s.error ? html`<span class="err">${s.error}</span>` : '—')}</td>
<td data-label="Last sync">${s.lastSync ? html`${link(commitUrl(gitUrl, s.lastSync.revision), html`<code>${shortRev(s.lastSync.revision) || '—'}</code>`)} ${time(s.lastSync.at)}` : '—'}</td>
<td data-label="Workloads" class="num">${s.workloads ?? '—'}</td>
<td data-label="Newer images" class="num">${s.outdated === undefined ? '—' : s.outdated > 0 ? html`<a href="${paths.instance(i)}">${badge(String(s.outdated), 'newer', 'workloads with a newer image allowed by their policy')}</a>` : '0'}</td>
<td data-label="Recent errors" class="errors">${s.recentErrors.length === 0 ? html`<span class="muted">none</span>` : html`<ul>${s.recentErrors.map((e) => html`<li><span class="err">${e.text}</span> ${time(e.at)}</li>`)}</ul>`}</td>
</tr>`;
}

export function fleetPage(viewer: Viewer, summaries: InstanceSummary[], gitUrl: (i: string) => string | undefined, deliveryProblems: number) {
  const connected = summaries.filter((s) => s.status.connected).length;
  return layout(
    { title: 'Fleet', viewer, section: 'fleet', live: paths.live() },
    html`<h1>Fleet</h1>
<p class="meta"><span id="connected-count">${connected} of ${summaries.length} instance(s) connected.</span>${deliveryProblems > 0 ? html` <a href="${paths.notifications()}">${badge(`${deliveryProblems} notification sink(s) failing`, 'error')}</a>` : ''}</p>
<div class="table-wrap">
<table class="fleet responsive" id="instances">
<caption class="sr-only">Instances</caption>
<thead><tr><th scope="col">Instance</th><th scope="col">State</th><th scope="col">Protocol</th><th scope="col">Daemon</th><th scope="col">Last sync</th><th scope="col">Workloads</th><th scope="col">Newer images</th><th scope="col">Recent errors</th></tr></thead>
<tbody>
${summaries.length === 0 ? html`<tr><td colspan="8">No instances you may see.</td></tr>` : summaries.map((s) => row(s, gitUrl(s.status.instance)))}
</tbody>
</table>
</div>`,
  );
}

/**
 * Releasing: choose workloads (one, several, all) and an image (a specific one, or the newest each
 * policy allows), see the daemon's dry run, confirm. Plain forms; the job page follows the release.
 */
import { IMAGE_SPEC_LATEST as ALL_LATEST, RESOURCE_SPEC_ALL as ALL } from '../../flux/model/index.js';
import type { WorkloadView } from '../data.js';
import { html, type SafeHtml } from '../html.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import type { ResultRow } from '../jobs.js';
import { badge, csrfField, layout, notice } from './ui.js';

/** The Flux specs for all workloads and for the newest image each policy allows (docs/types.md). */
export { ALL, ALL_LATEST };

export interface ReleaseChoice {
  workloads: string[];
  image: string;
  message: string;
  force: boolean;
}

export function resultTable(rows: ResultRow[]): SafeHtml {
  if (rows.length === 0) return notice('info', 'Nothing to do: no workload would change.');
  return html`<div class="table-wrap"><table class="results" id="results">
<thead><tr><th scope="col">Workload</th><th scope="col">Outcome</th><th scope="col">Container</th><th scope="col">Current</th><th scope="col">Target</th></tr></thead>
<tbody>${rows.map((r) => {
    const kind = r.status === 'success' ? 'ok' : r.status === 'failed' ? 'error' : 'unknown';
    const n = Math.max(1, r.updates.length);
    const head = html`<th scope="row" rowspan="${n}">${r.workload}</th><td rowspan="${n}">${badge(r.status, kind)}${r.error ? html` <span class="${r.status === 'failed' ? 'err' : 'muted'}">${r.error}</span>` : ''}</td>`;
    if (r.updates.length === 0) return html`<tr>${head}<td colspan="3" class="muted">—</td></tr>`;
    return r.updates.map((u, i) => html`<tr>${i === 0 ? head : ''}<td>${u.container}</td><td><code>${u.current}</code></td><td><code>${u.target}</code></td></tr>`);
  })}</tbody>
</table></div>`;
}

function hiddenChoice(c: ReleaseChoice): SafeHtml {
  return html`${c.workloads.map((w) => html`<input type="hidden" name="workload" value="${w}">`)}<input type="hidden" name="image" value="${c.image}"><input type="hidden" name="message" value="${c.message}">${c.force ? html`<input type="hidden" name="force" value="1">` : ''}`;
}

export function describeChoice(c: ReleaseChoice): string {
  const who = c.workloads.includes(ALL) ? 'all workloads' : c.workloads.join(', ');
  return `${c.image === ALL_LATEST ? 'the newest allowed images' : c.image} to ${who}`;
}

export interface ReleaseFormData {
  viewer: Viewer;
  instance: string;
  workloads: WorkloadView[];
  /** Repository → images (newest first) offered for a specific release. */
  images: Map<string, string[]>;
  choice: ReleaseChoice;
  error?: string;
}

export function releaseForm(d: ReleaseFormData) {
  const i = d.instance;
  const all = d.choice.workloads.includes(ALL);
  const specific = d.choice.image !== ALL_LATEST;
  return layout(
    { title: `Release · ${i}`, viewer: d.viewer, crumbs: [['Fleet', paths.fleet()], [i, paths.instance(i)], ['Release', undefined]] },
    html`<h1>Release</h1>
${d.error ? notice('error', d.error) : ''}
<form method="post" action="${paths.release(i)}" class="release-form" id="release-form">
${csrfField(d.viewer)}<input type="hidden" name="step" value="plan">
<fieldset><legend>Workloads</legend>
<div class="check"><input type="checkbox" id="w-all" name="workload" value="${ALL}"${all ? html` checked` : ''}><label for="w-all">All workloads</label></div>
<div class="workload-choices">
${d.workloads.map((w, n) => html`<div class="check"><input type="checkbox" id="w-${n}" name="workload" value="${w.id}"${!all && d.choice.workloads.includes(w.id) ? html` checked` : ''}><label for="w-${n}">${w.id}</label> ${w.locked ? badge('locked', 'locked') : ''}${w.containers.some((c) => c.newer) ? badge('newer image', 'newer') : ''}</div>`)}
</div>
</fieldset>
<fieldset><legend>Image</legend>
<div class="check"><input type="radio" id="img-latest" name="image-mode" value="latest"${specific ? '' : html` checked`}><label for="img-latest">The newest image each workload's policy allows</label></div>
<div class="check"><input type="radio" id="img-one" name="image-mode" value="one"${specific ? html` checked` : ''}><label for="img-one">This image:</label>
<select id="image" name="image-ref" aria-label="Image to release">
${[...d.images].map(([repo, refs]) => html`<optgroup label="${repo}">${refs.map((r) => html`<option${r === d.choice.image ? html` selected` : ''}>${r}</option>`)}</optgroup>`)}
</select></div>
</fieldset>
<label for="message">Message (in the commit)</label>
<input id="message" name="message" maxlength="500" value="${d.choice.message}">
<div class="check"><input type="checkbox" id="force" name="force" value="1"${d.choice.force ? html` checked` : ''}><label for="force">Force: also release locked workloads</label></div>
<button type="submit" class="primary">Dry run</button>
</form>`,
  );
}

export function releasePlan(d: { viewer: Viewer; instance: string; choice: ReleaseChoice; rows: ResultRow[]; error?: string }) {
  const i = d.instance;
  const changes = d.rows.some((r) => r.status === 'success');
  return layout(
    { title: `Dry run · ${i}`, viewer: d.viewer, crumbs: [['Fleet', paths.fleet()], [i, paths.instance(i)], ['Release', paths.release(i)], ['Dry run', undefined]] },
    html`<h1>Dry run</h1>
<p>Releasing ${describeChoice(d.choice)}${d.choice.force ? ' (forced)' : ''}, as <strong>${d.viewer.user.name}</strong>.</p>
${d.error ? notice('error', d.error) : resultTable(d.rows)}
<div class="confirm">
${changes && !d.error ? html`<form method="post" action="${paths.release(i)}" class="inline" id="confirm-form">${csrfField(d.viewer)}<input type="hidden" name="step" value="execute">${hiddenChoice(d.choice)}<button type="submit" class="primary">Release</button></form>` : ''}
<a class="button" href="${paths.release(i, d.choice.workloads.length === 1 && d.choice.workloads[0] !== ALL ? d.choice.workloads[0] : undefined)}">Change</a>
</div>`,
  );
}

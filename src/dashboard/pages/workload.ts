/** One workload: status, containers, every image with tags and creation times, policy actions. */
import type { ImageView, WorkloadView } from '../data.js';
import { html, type SafeHtml } from '../html.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import { allowed } from '../users.js';
import { badge, csrfField, iso, layout, notice } from './ui.js';
import { policyBadges, rollout, statusBadge } from './instance.js';

function policyForms(viewer: Viewer, instance: string, w: WorkloadView): SafeHtml {
  const action = paths.policy(instance, w.id);
  const button = (name: string, text: string, extra: SafeHtml = html``) => html`<form method="post" action="${action}" class="inline">${csrfField(viewer)}<input type="hidden" name="action" value="${name}">${extra}<button type="submit">${text}</button></form>`;
  return html`<section class="card" aria-labelledby="policy-h">
<h2 id="policy-h">Policies</h2>
<div class="policy-actions">
${w.automated ? button('deautomate', 'Deautomate') : button('automate', 'Automate')}
${w.locked
  ? button('unlock', 'Unlock')
  : html`<form method="post" action="${action}" class="inline lock-form">${csrfField(viewer)}<input type="hidden" name="action" value="lock"><label for="lock-msg">Lock message</label><input id="lock-msg" name="message" maxlength="500" placeholder="why (optional)"><button type="submit">Lock</button></form>`}
</div>
${w.containers.map(
  (c, i) => html`<form method="post" action="${action}" class="tag-form">${csrfField(viewer)}<input type="hidden" name="action" value="tag"><input type="hidden" name="container" value="${c.name}">
<label for="tag-${i}">Tag filter of <strong>${c.name}</strong></label>
<input id="tag-${i}" name="pattern" value="${c.tagPattern ?? ''}" placeholder="e.g. semver:~1.2, glob:master-*, regexp:^v\\d+ — empty: any tag">
<button type="submit">Set filter</button></form>`,
)}
</section>`;
}

function imageTable(container: string, images: ImageView[]): SafeHtml {
  return html`<h3>${container}</h3>
<div class="table-wrap"><table class="images">
<thead><tr><th scope="col">Tag</th><th scope="col">Image</th><th scope="col">Created</th><th scope="col"></th></tr></thead>
<tbody>${images.length === 0 ? html`<tr><td colspan="4" class="muted">No image data.</td></tr>` : images.map((im) => html`<tr${im.current ? html` class="current"` : ''}><td><code>${im.tag}</code></td><td class="ref"><code>${im.ref}</code></td><td>${im.created ? html`<time datetime="${iso(im.created)}">${iso(im.created).replace('T', ' ').replace('Z', ' UTC')}</time>` : '—'}</td><td>${im.current ? badge('running', 'ok') : ''}${im.latest && !im.current ? badge('newest allowed', 'newer') : ''}</td></tr>`)}</tbody>
</table></div>`;
}

export function workloadPage(d: { viewer: Viewer; instance: string; workload: WorkloadView; images: Map<string, ImageView[]>; flash?: string }) {
  const { viewer, instance: i, workload: w } = d;
  const deploy = allowed(viewer.user, 'deploy', i);
  return layout(
    { title: `${w.id} · ${i}`, viewer, live: paths.live(i), crumbs: [['Fleet', paths.fleet()], [i, paths.instance(i)], [w.id, undefined]] },
    html`<div class="title-row"><h1>${w.id}</h1> ${statusBadge(w)} ${rollout(w)}</div>
<div class="badges">${policyBadges(w)}</div>
${d.flash ? notice('ok', d.flash) : ''}
${w.syncError ? notice('error', `Sync error: ${w.syncError}`) : ''}
${w.rollout.messages.length > 0 ? html`<ul class="messages">${w.rollout.messages.map((m) => html`<li>${m}</li>`)}</ul>` : ''}
${w.readOnly ? notice('info', `Read-only: ${w.readOnly}`) : ''}
<nav class="actions" aria-label="Workload">${deploy ? html`<a class="button primary" href="${paths.release(i, w.id)}">Release…</a>` : ''}<a href="${paths.instanceEvents(i, { workload: w.id })}">Events of this workload</a></nav>
<section class="card" aria-labelledby="containers-h">
<h2 id="containers-h">Containers</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Container</th><th scope="col">Current image</th><th scope="col">Newest allowed by policy</th><th scope="col">Tag filter</th></tr></thead>
<tbody>${w.containers.map((c) => html`<tr><th scope="row">${c.name}</th><td><code>${c.current}</code></td><td>${c.latest ? html`<code>${c.latest}</code>${c.newer ? badge('newer', 'newer') : ''}` : html`<span class="muted">${c.availableError || '—'}</span>`}</td><td>${c.tagPattern ? html`<code>${c.tagPattern}</code>` : html`<span class="muted">any</span>`}</td></tr>`)}</tbody>
</table></div>
</section>
${deploy ? policyForms(viewer, i, w) : ''}
<section class="card" aria-labelledby="images-h">
<h2 id="images-h">Images</h2>
${[...d.images].map(([name, list]) => imageTable(name, list))}
</section>`,
  );
}

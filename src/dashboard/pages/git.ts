/** An instance's git repository as its daemon reports it, and the deploy key with a copy button. */
import type { GitConfig } from '../../flux/model/index.js';
import { repoWebUrl } from '../../notify/git-url.js';
import { clip, MAX_MESSAGE } from '../data.js';
import { html, link } from '../html.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import { layout, notice } from './ui.js';

export function gitPage(viewer: Viewer, instance: string, config: GitConfig | undefined, error: string | undefined) {
  const c = config;
  const url = clip(c?.remote.url ?? '', 2048);
  return layout(
    { title: `Git · ${instance}`, viewer, crumbs: [['Fleet', paths.fleet()], [instance, paths.instance(instance)], ['Git', undefined]] },
    html`<h1>Git repository</h1>
${error ? notice('error', `Could not get the git configuration: ${error}`) : ''}
${c
  ? html`<dl class="facts">
<dt>URL</dt><dd><code>${url}</code>${repoWebUrl(url) ? html` (${link(repoWebUrl(url), 'open')})` : ''}</dd>
<dt>Branch</dt><dd><code>${clip(c.remote.branch)}</code></dd>
<dt>Path(s)</dt><dd><code>${clip(c.remote.path) || '/'}</code></dd>
<dt>Status</dt><dd>${clip(c.status, 64)}${c.error ? html` — <span class="err">${clip(c.error, MAX_MESSAGE)}</span>` : ''}</dd>
</dl>
<h2>Deploy key</h2>
<p>Give this key write access to the repository.</p>
<div class="copy-box"><textarea id="deploy-key" readonly rows="3" aria-label="Deploy key">${clip(c.publicSSHKey.key, 8192)}</textarea>
<button type="button" class="copy" data-copy="deploy-key" hidden>Copy</button></div>
${[...(c.publicSSHKey.fingerprints ?? new Map())].slice(0, 4).map(([alg, f]) => html`<p class="meta">Fingerprint (${clip(alg, 32)}): <code>${clip(f.hash, 256)}</code></p>`)}`
  : ''}`,
  );
}

/** A job the dashboard started: its stages as they happen, the commit, each workload's outcome. */
import { commitUrl } from '../../notify/git-url.js';
import { html, link, type SafeHtml } from '../html.js';
import { FINAL_STAGES, type JobStage, type TrackedJob } from '../jobs.js';
import { paths } from '../paths.js';
import type { Viewer } from '../auth.js';
import { layout, notice, time } from './ui.js';
import { resultTable } from './release.js';

const STEPS: [JobStage, string][] = [
  ['queued', 'Queued'],
  ['running', 'Running'],
  ['committed', 'Committed to git'],
  ['applied', 'Applied in the cluster'],
];

/** The part of the page the live stream replaces as the job moves on. */
export function jobStatus(job: TrackedJob, gitUrl: string | undefined): SafeHtml {
  // How many steps are complete: queued 0, running 1, committed 3, applied 4; a job that ended
  // otherwise keeps what it reached (a commit, or the run).
  const complete: Record<JobStage, number> = { queued: 0, running: 1, committed: 3, applied: 4, done: 2, failed: job.revision ? 3 : 1, unknown: job.revision ? 3 : 1 };
  const reached = complete[job.stage];
  const final = FINAL_STAGES.includes(job.stage);
  const steps = (job.kind === 'sync' ? STEPS.slice(3) : STEPS).map(([stage, text]) => {
    const i = STEPS.findIndex(([s]) => s === stage);
    const state = i < reached ? 'done' : i === reached && !final ? 'current' : 'todo';
    return html`<li class="step step-${state}"${state === 'current' ? html` aria-current="step"` : ''}>${text}${stage === 'committed' && job.revision ? html` — ${link(commitUrl(gitUrl, job.revision), html`<code>${job.revision.slice(0, 7)}</code>`, html` class="commit"`)}` : ''}</li>`;
  });
  const end =
    job.stage === 'failed'
      ? notice('error', `The job failed: ${job.error}`)
      : job.stage === 'unknown'
        ? notice('error', `Outcome unknown: ${job.error}`)
        : job.stage === 'done'
          ? notice(job.error ? 'error' : 'ok', job.error || 'Done: nothing needed a commit.')
          : job.stage === 'applied'
            ? notice('ok', job.kind === 'sync' ? 'The cluster is in sync with git.' : 'Applied in the cluster.')
            : '';
  return html`<div id="job-status" data-stage="${job.stage}" data-final="${String(FINAL_STAGES.includes(job.stage))}">
<ol class="steps">${steps}</ol>
${end}
${job.results.length > 0 ? resultTable(job.results) : ''}
<p class="meta">${job.adopted ? html`Started elsewhere by ${job.user}; followed here since ${time(job.startedAt)}` : html`Started ${time(job.startedAt)} by ${job.user}`}; last change ${time(job.updatedAt)}.</p>
</div>`;
}

export function jobPage(viewer: Viewer, job: TrackedJob, gitUrl: string | undefined) {
  const i = job.instance;
  return layout(
    {
      title: `${job.title} · ${i}`,
      viewer,
      live: paths.live(i, job.id),
      refresh: FINAL_STAGES.includes(job.stage) ? undefined : 3,
      crumbs: [['Fleet', paths.fleet()], [i, paths.instance(i)], [job.kind === 'sync' ? 'Sync' : `Job ${job.id.slice(0, 8)}`, undefined]],
    },
    html`<h1>${job.title}</h1>
<div id="job" data-instance="${i}" data-job="${job.id}">${jobStatus(job, gitUrl)}</div>
<p><a href="${paths.instance(i)}">Back to ${i}</a></p>`,
  );
}

/**
 * What a notification says about an event, independent of the sink: a title, the workloads,
 * the images released, the commits (with links derived from the instance's git URL) and the
 * errors — at least what fluxcloud's messages showed. Every value from the daemon is bounded.
 */
import { IMAGE_SPEC_LATEST, imageRefString, type FluxEvent } from '../flux/model/index.js';
import { truncate } from '../runtime/text.js';
import { commitUrl } from './git-url.js';

export interface CommitLine {
  revision: string;
  short: string;
  url: string | undefined;
  message: string;
}

export interface MessageModel {
  instance: string;
  type: string;
  level: string;
  title: string;
  message: string;
  user: string;
  workloads: string[];
  images: string[];
  commits: CommitLine[];
  errors: string[];
}

const MAX_ITEMS = 20;
const clip = (s: string, max = 300) => truncate(s, max);

function titleOf(e: FluxEvent, instance: string, user: string): string {
  const by = user ? ` by ${user}` : '';
  switch (e.type) {
    case 'sync':
      return `Applied flux changes to ${instance}`;
    case 'release':
      return `Release${by} on ${instance}`;
    case 'autorelease':
      return `Automated release on ${instance}`;
    case 'commit':
      return `Commit${by} on ${instance}`;
    case 'automate':
    case 'deautomate':
    case 'lock':
    case 'unlock':
      return `${e.type[0]!.toUpperCase()}${e.type.slice(1)}${by} on ${instance}`;
    case 'update_policy':
      return `Policy change${by} on ${instance}`;
    default:
      return `${clip(e.type, 64)} event on ${instance}${by}`;
  }
}

export function messageModel(instance: string, e: FluxEvent, gitUrl: string | undefined): MessageModel {
  const m = e.metadata;
  const commits: CommitLine[] = [];
  const images: string[] = [];
  const errors: string[] = [];
  let user = '';
  const addCommit = (revision: string, message = '') => commits.push({ revision: clip(revision, 64), short: clip(revision, 64).slice(0, 7), url: commitUrl(gitUrl, revision), message: clip(message.split('\n')[0] ?? '') });
  if (m?.kind === 'sync') {
    for (const c of (m.commits ?? []).slice(0, MAX_ITEMS)) addCommit(c.revision, c.message);
    for (const r of (m.errors ?? []).slice(0, MAX_ITEMS)) errors.push(clip(`${r.id.toString()}: ${r.error}`));
  } else if (m?.kind === 'release' || m?.kind === 'autorelease' || m?.kind === 'commit') {
    if (m.revision) addCommit(m.revision);
    for (const [id, r] of [...(m.result ?? new Map())].slice(0, MAX_ITEMS)) {
      for (const u of r.perContainer ?? []) images.push(clip(imageRefString(u.target)));
      if (r.status === 'failed' || (r.error && r.status !== 'skipped')) errors.push(clip(`${id}: ${r.error || r.status}`));
    }
    if (m.kind === 'autorelease') for (const c of (m.spec.changes ?? []).slice(0, MAX_ITEMS)) images.push(clip(imageRefString(c.imageId)));
    if (m.kind === 'release' || m.kind === 'autorelease') if (m.error) errors.push(clip(m.error));
    if (m.kind === 'release') user = clip(m.cause.user, 64);
    if (m.kind === 'release' && images.length === 0 && m.spec.releaseImageSpec && m.spec.releaseImageSpec.imageSpec !== IMAGE_SPEC_LATEST) images.push(clip(m.spec.releaseImageSpec.imageSpec));
    if (m.kind === 'commit') user = clip(m.spec?.cause.user ?? '', 64);
  } else if (m?.kind === 'unknown') {
    const v = (k: string) => {
      const x = m.value?.get(k);
      return typeof x === 'string' ? x : '';
    };
    user = clip(v('user'), 64);
    if (v('revision')) addCommit(v('revision'));
    if (v('error')) errors.push(clip(v('error')));
  }
  if (e.logLevel === 'error' && errors.length === 0 && e.message) errors.push(clip(e.message));
  return {
    instance,
    type: clip(e.type, 64),
    level: clip(e.logLevel, 16),
    title: titleOf(e, instance, user),
    message: clip(e.message, 2000),
    user,
    workloads: (e.serviceIds ?? []).slice(0, MAX_ITEMS).map((id) => id.toString()),
    images: [...new Set(images)].slice(0, MAX_ITEMS),
    commits,
    errors,
  };
}

/** Whether the event reports a failure. */
export function isError(m: MessageModel): boolean {
  return m.level === 'error' || m.errors.length > 0;
}

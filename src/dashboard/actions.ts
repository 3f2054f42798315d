/**
 * What the dashboard's forms ask the daemons to do, built as fluxctl builds it: releases
 * (`update.Spec` of type image, the signed-in user as cause), policy changes (automate,
 * deautomate, lock with message, unlock, tag filters — fluxctl's `calculatePolicyChanges`) and
 * sync requests (NotifyChange with the repository's URL and branch). Form values are checked here;
 * a bad one is a `FormError` shown on the page.
 */
import { parseImageRef, ResourceId, type Cause, type PolicyUpdate, type UpdateSpec } from '../flux/model/index.js';
import { newPattern } from '../flux/policy/index.js';
import type { PolicyAction } from './audit.js';
import { ALL, ALL_LATEST, type ReleaseChoice } from './pages/release.js';

export class FormError extends Error {
  override name = 'FormError';
}

const MAX_MESSAGE = 500;

function workloadId(s: string): string {
  try {
    return ResourceId.parse(s).toString();
  } catch {
    throw new FormError(`not a workload: ${JSON.stringify(s.slice(0, 100))}`);
  }
}

export function message(form: URLSearchParams): string {
  const m = (form.get('message') ?? '').trim();
  if (m.length > MAX_MESSAGE) throw new FormError(`the message is longer than ${MAX_MESSAGE} characters`);
  return m;
}

/** The release a form describes (the first form's fields, or the confirmation's hidden ones). */
export function releaseChoice(form: URLSearchParams): ReleaseChoice {
  const picked = form.getAll('workload');
  if (picked.length > 2000) throw new FormError('too many workloads');
  const workloads = picked.includes(ALL) ? [ALL] : [...new Set(picked.map(workloadId))];
  let image = form.get('image') ?? (form.get('image-mode') === 'one' ? (form.get('image-ref') ?? '') : ALL_LATEST);
  if (image !== ALL_LATEST) {
    try {
      image = parseImageRef(image.trim()).tag === '' ? '' : image.trim();
    } catch {
      image = '';
    }
    if (image === '') throw new FormError('choose an image with a tag (repository:tag), or the newest allowed images');
  }
  return { workloads, image, message: message(form), force: form.get('force') === '1' };
}

export function releaseSpec(choice: ReleaseChoice, user: string, kind: 'plan' | 'execute'): UpdateSpec {
  if (choice.workloads.length === 0) throw new FormError('choose at least one workload (or all)');
  return { type: 'image', cause: { user, message: choice.message }, spec: { serviceSpecs: choice.workloads, imageSpec: choice.image, kind, excludes: null, force: choice.force } };
}

export interface PolicyChange {
  action: PolicyAction;
  title: string;
  spec: UpdateSpec;
}

/** The policy update a workload page's form asks for (fluxctl's semantics). */
export function policyChange(form: URLSearchParams, workload: string, user: string): PolicyChange {
  const id = workloadId(workload);
  const msg = message(form);
  const cause: Cause = { user, message: msg };
  const add = new Map<string, string>();
  const remove = new Map<string, string>();
  let action: PolicyAction;
  let title: string;
  switch (form.get('action')) {
    case 'automate':
      add.set('automated', 'true');
      [action, title] = ['automate', `Automate ${id}`];
      break;
    case 'deautomate':
      remove.set('automated', 'true');
      [action, title] = ['deautomate', `Deautomate ${id}`];
      break;
    case 'lock':
      add.set('locked', 'true').set('locked_user', user).set('locked_msg', msg);
      [action, title] = ['lock', `Lock ${id}`];
      break;
    case 'unlock':
      remove.set('locked', 'true').set('locked_msg', 'true').set('locked_user', 'true');
      [action, title] = ['unlock', `Unlock ${id}`];
      break;
    case 'tag': {
      const container = (form.get('container') ?? '').trim();
      if (container === '' || container.length > 253) throw new FormError('choose a container');
      const pattern = (form.get('pattern') ?? '').trim();
      if (pattern.length > 500) throw new FormError('the tag filter is longer than 500 characters');
      if (pattern === '' || pattern === '*') remove.set(`tag.${container}`, 'true');
      else add.set(`tag.${container}`, newPattern(pattern).toString());
      [action, title] = ['update_policy', pattern === '' || pattern === '*' ? `Clear the tag filter of ${container} in ${id}` : `Set the tag filter of ${container} in ${id} to ${newPattern(pattern).toString()}`];
      break;
    }
    default:
      throw new FormError('unknown action');
  }
  const update: PolicyUpdate = { add: add.size ? add : null, remove: remove.size ? remove : null };
  return { action, title, spec: { type: 'policy', cause, spec: new Map([[id, update]]) } };
}

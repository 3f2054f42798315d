/** Text output for people: aligned tables, as fluxctl prints them. */
import type { ControllerStatus, GitConfig, ImageStatus, JobStatus } from '../flux/model/index.js';
import { imageRefString, type ImageInfo } from '../flux/model/index.js';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const ref = (i: ImageInfo) => (i.id.image === '' && i.id.tag === '' ? '' : imageRefString(i.id));
const date = (i: ImageInfo) => (i.createdAt.isZero() ? '' : i.createdAt.utc().format().replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC'));

export function servicesTable(list: readonly ControllerStatus[] | null): string {
  const rows: string[][] = [];
  for (const s of list ?? []) {
    const policies = [...(s.policies ?? new Map())].map(([k, v]) => (v === 'true' ? k : `${k}=${v}`)).sort();
    const containers = s.containers ?? [];
    const status = s.rollout.desired > 0 ? `${s.status} (${s.rollout.ready}/${s.rollout.desired})` : s.status;
    if (containers.length === 0) rows.push([s.id.toString(), '', '', status, policies.join(',')]);
    containers.forEach((c, i) => rows.push(i === 0 ? [s.id.toString(), c.name, ref(c.current), status, policies.join(',')] : ['', c.name, ref(c.current), '', '']));
  }
  return table(['WORKLOAD', 'CONTAINER', 'IMAGE', 'RELEASE', 'POLICY'], rows);
}

export function imagesTable(list: readonly ImageStatus[] | null): string {
  const rows: string[][] = [];
  for (const s of list ?? []) {
    (s.containers ?? []).forEach((c, i) => {
      const latest = c.latestFiltered.id.tag;
      const current = c.current.id.tag;
      const update = latest !== '' && latest !== current ? latest : '';
      rows.push([i === 0 ? s.id.toString() : '', c.name, ref(c.current) || `(${c.availableError || 'unknown'})`, date(c.current), update, String(c.availableImagesCount || (c.available?.length ?? 0))]);
    });
  }
  return table(['WORKLOAD', 'CONTAINER', 'CURRENT IMAGE', 'CREATED', 'UPDATE TO', 'AVAILABLE'], rows);
}

export function jobStatusText(s: JobStatus): string {
  const lines = [`Status:   ${s.statusString || '(none)'}`];
  if (s.err) lines.push(`Error:    ${s.err}`);
  if (s.result.revision) lines.push(`Revision: ${s.result.revision}`);
  const result = s.result.result;
  if (result && result.size > 0) {
    const rows: string[][] = [];
    for (const [id, r] of result) {
      const updates = r.perContainer ?? [];
      if (updates.length === 0) rows.push([id, r.status, r.error, '']);
      updates.forEach((u, i) => rows.push([i === 0 ? id : '', i === 0 ? r.status : '', i === 0 ? r.error : '', `${u.container}: ${u.current.tag} -> ${u.target.tag}`]));
    }
    lines.push('', table(['WORKLOAD', 'STATUS', 'REASON', 'UPDATES'], rows).trimEnd());
  }
  return lines.join('\n') + '\n';
}

export function gitConfigText(c: GitConfig): string {
  const lines = [`URL:     ${c.remote.url}`, `Branch:  ${c.remote.branch}`, `Path:    ${c.remote.path}`, `Status:  ${c.status}`];
  if (c.error) lines.push(`Error:   ${c.error}`);
  // fluxd's key is a line of ssh-keygen output, newline included.
  lines.push(`Key:     ${c.publicSSHKey.key.replace(/\n$/, '')}`);
  for (const [hash, f] of c.publicSSHKey.fingerprints ?? new Map()) lines.push(`  ${hash}: ${f.hash}`);
  return lines.join('\n') + '\n';
}

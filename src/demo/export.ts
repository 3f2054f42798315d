/**
 * The demo cluster's `Export`: what fluxd's Kubernetes cluster exports, one YAML document per
 * object, namespace by namespace (the Namespace, then its workloads kind by kind), keys in order as
 * Go's YAML encoder writes them, documents separated by `---`. Only the fields `fluxctl save` keeps
 * (apiVersion, kind, metadata annotations/labels/name/namespace, spec) and a Namespace's status.
 */
import { imageRefString } from '../flux/model/index.js';
import type { DemoWorkload, Workloads } from './workloads.js';

/** fluxd's export order of kinds, with each one's API group and kind name. */
const KINDS: readonly (readonly [kind: string, apiVersion: string, name: string])[] = [
  ['deployment', 'apps/v1', 'Deployment'],
  ['daemonset', 'apps/v1', 'DaemonSet'],
  ['statefulset', 'apps/v1', 'StatefulSet'],
];

/** A YAML double-quoted scalar (JSON's escapes are YAML's). */
const quoted = (s: string) => JSON.stringify(s);

function mapLines(map: ReadonlyMap<string, string>, indent: string): string {
  return [...map]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${indent}${k}: ${quoted(v)}\n`)
    .join('');
}

function workloadYaml(w: DemoWorkload, apiVersion: string, kindName: string): string {
  const [namespace, , name] = w.id.components();
  const annotations = new Map([...w.policies].map(([k, v]) => [`fluxcd.io/${k}`, v]));
  const containers = w.containers.map((c) => `      - image: ${imageRefString(c.image)}\n        name: ${c.name}\n`).join('');
  const labels = w.labels.size > 0;
  return (
    `apiVersion: ${apiVersion}\nkind: ${kindName}\nmetadata:\n` +
    (annotations.size > 0 ? `  annotations:\n${mapLines(annotations, '    ')}` : '') +
    (labels ? `  labels:\n${mapLines(w.labels, '    ')}` : '') +
    `  name: ${name}\n  namespace: ${namespace}\nspec:\n  replicas: ${w.replicas}\n` +
    (labels ? `  selector:\n    matchLabels:\n${mapLines(w.labels, '      ')}` : '') +
    `  template:\n` +
    (labels ? `    metadata:\n      labels:\n${mapLines(w.labels, '        ')}` : '') +
    `    spec:\n      containers:\n${containers}`
  );
}

export function exportYaml(workloads: Workloads): string {
  const namespaces = [...new Set([...workloads.values()].map((w) => w.id.components()[0]))].sort();
  const docs: string[] = [];
  for (const ns of namespaces) {
    docs.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\nspec:\n  finalizers:\n  - kubernetes\nstatus:\n  phase: Active\n`);
    for (const [kind, apiVersion, kindName] of KINDS) {
      const of = [...workloads.values()].filter((w) => w.id.components()[0] === ns && w.id.components()[1] === kind);
      of.sort((a, b) => (a.id.components()[2] < b.id.components()[2] ? -1 : 1));
      for (const w of of) docs.push(workloadYaml(w, apiVersion, kindName));
    }
  }
  return docs.join('---\n');
}

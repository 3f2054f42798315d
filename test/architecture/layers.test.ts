/**
 * The layer order is written once, in the README's "Layers" block; this test reads it and checks
 * every import under src/ against it: an import may point to a lower layer or within its own unit,
 * never up and never to a sibling on the same line. Every unit under src/ must be named there.
 *
 * A unit is a directory right under src/ (`src/hub/`), a file right under src/ (`src/index.ts`),
 * or, inside src/flux/, a directory or file of its own (`src/flux/model/`, `src/flux/api.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Unit name → layer number, from the README. */
export function readLayers(readme: string): Map<string, number> {
  const block = /```\nlayers, bottom to top\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no "layers, bottom to top" block');
  const layers = new Map<string, number>();
  for (const line of block[1]!.split('\n')) {
    const m = /^\s*(\d+)\s+((?:src\/\S+\s*)+)/.exec(line);
    if (!m) continue;
    for (const path of m[2]!.trim().split(/\s+/)) layers.set(path.replace(/\/$/, ''), Number(m[1]));
  }
  return layers;
}

/** The unit a path under src/ belongs to (`src/flux/model`, `src/index.ts`, …). */
export function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts[1] === 'flux' && parts.length > 2) return parts.slice(0, 3).join('/');
  return parts.slice(0, 2).join('/');
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Relative imports of a TypeScript file (static `from '…'` and dynamic `import('…')`). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) out.push(m[1]!);
  return out;
}

export function checkImports(layers: Map<string, number>, files: { path: string; text: string }[]): string[] {
  const problems: string[] = [];
  for (const { path, text } of files) {
    const from = unitOf(path);
    const fromLayer = layers.get(from);
    if (fromLayer === undefined) {
      problems.push(`${path}: its unit ${from} is not in the README's layer list`);
      continue;
    }
    for (const spec of importsOf(text)) {
      const target = normalize(join(dirname(path), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
      if (!target.startsWith('src/')) continue;
      const to = unitOf(target);
      if (to === from) continue;
      const toLayer = layers.get(to);
      if (toLayer === undefined) problems.push(`${path} imports ${spec}: unit ${to} is not in the README's layer list`);
      else if (toLayer >= fromLayer) problems.push(`${path} (layer ${fromLayer}, ${from}) imports ${spec} (layer ${toLayer}, ${to}): ${toLayer === fromLayer ? 'a sibling' : 'a higher layer'}`);
    }
  }
  return problems;
}

test('no import under src/ points up or sideways in the README layer order', () => {
  const layers = readLayers(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.ok(layers.size >= 10, `the README names ${layers.size} units`);
  const files = sourceFiles(join(root, 'src')).map((abs) => ({ path: relative(root, abs).split(sep).join('/'), text: readFileSync(abs, 'utf8') }));
  assert.deepEqual(checkImports(layers, files), []);
});

test('the checker finds an upward import, a sibling import and an unlisted unit', () => {
  const layers = readLayers('```\nlayers, bottom to top\n 1  src/codec/   x\n 2  src/rpc/ src/other/\n 3  src/hub/\n```\n');
  const problems = checkImports(layers, [
    { path: 'src/codec/a.ts', text: "import { x } from '../rpc/client.js';" },
    { path: 'src/rpc/b.ts', text: "import type { y } from '../other/y.js';\nimport { z } from './z.js';" },
    { path: 'src/hub/c.ts', text: "const m = await import('../codec/a.js'); import { w } from '../nowhere/w.js';" },
    { path: 'src/lost/d.ts', text: '' },
  ]);
  assert.deepEqual(problems, [
    'src/codec/a.ts (layer 1, src/codec) imports ../rpc/client.js (layer 2, src/rpc): a higher layer',
    'src/rpc/b.ts (layer 2, src/rpc) imports ../other/y.js (layer 2, src/other): a sibling',
    'src/hub/c.ts imports ../nowhere/w.js: unit src/nowhere is not in the README\'s layer list',
    "src/lost/d.ts: its unit src/lost is not in the README's layer list",
  ]);
});

/**
 * "Each directory opens with a note on its job" (README, Layers): every directory under src/ has an
 * `index.ts` that starts with a doc comment, or a `README.md`.
 *
 * PENDING lists the directories whose note belongs in files another change owns right now; each
 * must still lack its note (so that the list shrinks as notes are written, and nothing new joins it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const PENDING = new Set<string>([]);

function directories(dir: string): string[] {
  const subdirs = readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isDirectory());
  return [dir, ...subdirs.flatMap(directories)];
}

/** Whether a directory opens with a note: an index.ts whose first line starts a doc comment, or a README.md. */
export function hasNote(files: { index?: string; readme: boolean }): boolean {
  return files.readme || (files.index !== undefined && files.index.trimStart().startsWith('/**'));
}

test('a note is a README.md or an index.ts that opens with a doc comment', () => {
  assert.equal(hasNote({ readme: true }), true);
  assert.equal(hasNote({ index: '/**\n * The codec.\n */\nexport {};', readme: false }), true);
  assert.equal(hasNote({ index: "export { x } from './x.js';\n/** late */", readme: false }), false);
  assert.equal(hasNote({ readme: false }), false);
});

test('every directory under src/ opens with a note on its job', () => {
  const missing: string[] = [];
  const pendingWithNote: string[] = [];
  const dirs = directories(join(root, 'src'));
  assert.ok(dirs.length > 15, `${dirs.length} directories`);
  for (const dir of dirs) {
    const path = relative(root, dir).split(sep).join('/');
    const index = join(dir, 'index.ts');
    const note = hasNote({ index: existsSync(index) ? readFileSync(index, 'utf8') : undefined, readme: existsSync(join(dir, 'README.md')) });
    if (!note && !PENDING.has(path)) missing.push(path);
    if (note && PENDING.has(path)) pendingWithNote.push(path);
  }
  assert.deepEqual(missing, [], 'directories without a note');
  assert.deepEqual(pendingWithNote, [], 'these have their note now: remove them from PENDING');
});

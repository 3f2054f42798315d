/**
 * docs/deviations.md says, for each deviation, where the code is: `Where: \`src/x.ts\` (\`name\`)`.
 * This test keeps those references true: every path named after a `Where:` (up to the end of its
 * paragraph or list item) exists, and every identifier given in parentheses right after a path
 * (`Name`, `Class.member`; other code in the parentheses is prose) occurs in that file as a word.
 * Paths named anywhere else in the file, in backticks, must exist too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface WhereReference {
  /** The path as written, relative to the repository. */
  path: string;
  /** Identifiers given with it. */
  names: string[];
  /** 1-based line of the path in the document. */
  line: number;
}

const PATH = String.raw`(?:src|test|bench|scripts|web|docs)\/[\w./-]+`;
const IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** The text of each `Where:` clause: from the marker to the end of its paragraph or list item. */
function whereClauses(markdown: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  for (const m of markdown.matchAll(/Where:/g)) {
    const from = m.index! + m[0].length;
    const end = /\n\s*\n|\n\s*- |\n#|Where:/.exec(markdown.slice(from));
    out.push({ text: markdown.slice(from, end ? from + end.index : markdown.length), at: from });
  }
  return out;
}

/** The text inside the parentheses that open at `text[open]`, or undefined if they do not close. */
function parenthesised(text: string, open: number): string | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

/** The references of every `Where:` clause. */
export function whereReferences(markdown: string): WhereReference[] {
  const out: WhereReference[] = [];
  const lineAt = (at: number) => markdown.slice(0, at).split('\n').length;
  for (const clause of whereClauses(markdown)) {
    for (const m of clause.text.matchAll(new RegExp(String.raw`\`(${PATH})\``, 'g'))) {
      const after = m.index! + m[0].length;
      const open = /^\s*\(/.exec(clause.text.slice(after));
      const inside = open ? parenthesised(clause.text, after + open[0].length - 1) : undefined;
      const names = inside === undefined ? [] : [...inside.matchAll(/`([^`]+)`/g)].map((n) => n[1]!).filter((n) => IDENTIFIER.test(n));
      out.push({ path: m[1]!, names, line: lineAt(clause.at + m.index!) });
    }
  }
  return out;
}

/** Every backticked path anywhere in the document. */
export function pathsNamed(markdown: string): { path: string; line: number }[] {
  const lineAt = (at: number) => markdown.slice(0, at).split('\n').length;
  return [...markdown.matchAll(new RegExp(String.raw`\`(${PATH})\``, 'g'))].map((m) => ({ path: m[1]!, line: lineAt(m.index!) }));
}

/** What is wrong with the references, given a way to read a repository file (undefined: no such file). */
export function referenceProblems(markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  const words = new Map<string, Set<string> | undefined>();
  const wordsOf = (path: string) => {
    if (!words.has(path)) {
      const text = read(path);
      words.set(path, text === undefined ? undefined : new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []));
    }
    return words.get(path);
  };
  for (const { path, line } of pathsNamed(markdown)) {
    if (read(path) === undefined) problems.push(`line ${line}: ${path} does not exist`);
  }
  for (const { path, names, line } of whereReferences(markdown)) {
    const found = wordsOf(path);
    if (!found) continue;
    for (const name of names) {
      const missing = name.split('.').filter((part) => !found.has(part));
      if (missing.length > 0) problems.push(`line ${line}: ${path} has no ${missing.map((p) => `\`${p}\``).join(', ')} (for \`${name}\`)`);
    }
  }
  return problems;
}

function readRepoFile(path: string): string | undefined {
  const abs = join(root, path);
  if (!existsSync(abs)) return undefined;
  return statSync(abs).isDirectory() ? '' : readFileSync(abs, 'utf8');
}

// --- the checker itself ---------------------------------------------------------------------

const FILES: Record<string, string> = {
  'src/a.ts': 'export class Client { call() {} }\nconst DEFAULT_LIMIT = 1;',
  'src/b.ts': 'function errorText() {}',
};
const readSample = (path: string) => FILES[path];

test('Where: clauses give paths with the identifiers in the parentheses after each', () => {
  const doc = [
    '### 1.1 x',
    '',
    'Text `src/notwhere.ts` (`ignored`). Where: `src/a.ts` (`Client.call`, the `x === 1 ? {}` branch),',
    '`src/b.ts` (header), `src/a.ts`.',
    '',
    '- a bullet. Where: `src/b.ts` (`errorText`)',
    '- another — `src/a.ts` (`notAWhere`)',
  ].join('\n');
  assert.deepEqual(whereReferences(doc), [
    { path: 'src/a.ts', names: ['Client.call'], line: 3 },
    { path: 'src/b.ts', names: [], line: 4 },
    { path: 'src/a.ts', names: [], line: 4 },
    { path: 'src/b.ts', names: ['errorText'], line: 6 },
  ]);
});

test('the checker fails on a missing file and on a missing identifier', () => {
  const good = 'Where: `src/a.ts` (`Client.call`, `DEFAULT_LIMIT`), `src/b.ts` (`errorText`).';
  assert.deepEqual(referenceProblems(good, readSample), []);
  const bad = 'Where: `src/gone.ts` (`x`), `src/a.ts` (`Client.onClose`, `armTimer`).\n\nSee `src/other.ts`.';
  assert.deepEqual(referenceProblems(bad, readSample), [
    'line 1: src/gone.ts does not exist',
    'line 3: src/other.ts does not exist',
    'line 1: src/a.ts has no `onClose` (for `Client.onClose`)',
    'line 1: src/a.ts has no `armTimer` (for `armTimer`)',
  ]);
});

// --- the document -----------------------------------------------------------------------------

test('every Where: reference in docs/deviations.md names a file that exists and identifiers it has', () => {
  const doc = readFileSync(join(root, 'docs', 'deviations.md'), 'utf8');
  const refs = whereReferences(doc);
  assert.ok(refs.length > 40, `only ${refs.length} Where: references found`);
  assert.ok(refs.filter((r) => r.names.length > 0).length > 20, 'identifiers are read from the parentheses');
  assert.deepEqual(referenceProblems(doc, readRepoFile), []);
});

/**
 * The repository stands alone: every citation of the project's docs points at a file and a numbered
 * section that exist, and nothing cites the private working notes the docs replaced.
 *
 * - A citation is `docs/<name>.md` followed, optionally, by sections: `§6.3`, lists (`§2, §6.1 and
 *   §6.5`), ranges (`§5-§7`, `§15–18`, `§6.2–6.3`: both ends must exist) or an appendix
 *   (`Appendix A`, `App. A`). Inside docs/ a file may be named without the `docs/` prefix, and a bare
 *   `§N` cites the file it stands in.
 * - A section exists when a heading starts with its number (`## 6. …`, `### 6.3 …`) or is
 *   `## Appendix A …`.
 * - The old note names are refused anywhere; the patterns are assembled at run time so this file
 *   does not match itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Where sources, tests, scripts and READMEs live, and which files count as text to scan. */
const SCAN_DIRS = ['src', 'test', 'bench', 'scripts', 'docs', '.ci'];
const SCAN_FILES = ['README.md'];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'bin', 'out', 'vectors']);
const TEXT_FILE = /\.(?:ts|mts|cts|js|mjs|cjs|go|md|sh)$|^[^.]+$/;

const OLD_NOTES = ['WIRE', 'RPC', 'TYPES'].map((name) => name + '\\.md');
const FORBIDDEN = new RegExp(`\\b(?:${OLD_NOTES.join('|')})|\\.\\./${'sha'}red\\b|${'shared'}/spec`, 'g');

const NUMBER = String.raw`\d+(?:\.\d+)*`;
const ONE = String.raw`(?:§\s?(${NUMBER})(?:\s?[–-]\s?§?(${NUMBER}))?|(?:Appendix|App\.)\s([A-Z])\b)`;
const TAIL = new RegExp(String.raw`^\`?\s*(${ONE}(?:(?:,\s*|,?\s+and\s+)${ONE})*)`);
const ONE_G = new RegExp(ONE, 'g');

export interface Citation {
  /** The docs file cited, e.g. `wire.md`. */
  file: string;
  /** Section ids: `6.3`, `Appendix A`. */
  sections: string[];
  /** Offset of the citation in the text. */
  at: number;
}

/** The section ids of a markdown file: heading numbers and appendices. */
export function sectionsOf(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^#{1,6}\s+(?:(\d+(?:\.\d+)*)\.?(?=\s|$)|Appendix\s+([A-Z])\b)/.exec(line);
    if (m) ids.add(m[1] ?? `Appendix ${m[2]}`);
  }
  return ids;
}

function sectionsIn(list: string): string[] {
  const out: string[] = [];
  for (const m of list.matchAll(ONE_G)) {
    if (m[3]) out.push(`Appendix ${m[3]}`);
    else out.push(m[1]!, ...(m[2] ? [m[2]] : []));
  }
  return out;
}

/**
 * The citations in `text`. `inDocs` names the docs file the text is (then `name.md` without the
 * prefix counts, and bare `§N` cites that file); undefined for any other file.
 */
export function citationsIn(text: string, inDocs?: string): Citation[] {
  const out: Citation[] = [];
  const fileRef = inDocs === undefined ? /(?<![\w/.-])docs\/([\w-]+\.md)/g : /(?<![\w/.-])(?:docs\/)?([\w-]+\.md)/g;
  const covered: [number, number][] = [];
  for (const m of text.matchAll(fileRef)) {
    const file = m[1]!;
    const after = m.index! + m[0].length;
    const tail = TAIL.exec(text.slice(after));
    covered.push([m.index!, after + (tail ? tail[0].length : 0)]);
    // Inside docs, a bare `README.md` is some other README: neither it nor its sections are ours.
    if (inDocs !== undefined && !m[0].startsWith('docs/') && file === 'README.md') continue;
    out.push({ file, sections: tail ? sectionsIn(tail[1]!) : [], at: m.index! });
  }
  if (inDocs !== undefined && inDocs !== 'README.md') {
    for (const m of text.matchAll(ONE_G)) {
      if (m[0].startsWith('App') || covered.some(([from, to]) => m.index! >= from && m.index! < to)) continue;
      out.push({ file: inDocs, sections: sectionsIn(m[0]), at: m.index! });
    }
  }
  return out;
}

/** Problems in one file's text: citations that do not resolve, and mentions of the old notes. */
export function problemsIn(path: string, text: string, docs: ReadonlyMap<string, Set<string>>, inDocs?: string): string[] {
  const problems: string[] = [];
  const line = (at: number) => text.slice(0, at).split('\n').length;
  for (const c of citationsIn(text, inDocs)) {
    const sections = docs.get(c.file);
    if (!sections) {
      problems.push(`${path}:${line(c.at)}: docs/${c.file} does not exist`);
      continue;
    }
    for (const s of c.sections) {
      if (!sections.has(s)) problems.push(`${path}:${line(c.at)}: docs/${c.file} has no section ${s.startsWith('Appendix') ? s : `§${s}`}`);
    }
  }
  for (const m of text.matchAll(FORBIDDEN)) problems.push(`${path}:${line(m.index!)}: cites the old working notes (${m[0]}); cite docs/ instead`);
  return problems;
}

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((path) => !path.split(sep).slice(0, -1).some((part) => SKIP_DIRS.has(part)))
    .filter((path) => TEXT_FILE.test(path.split(sep).pop()!))
    .map((path) => join(dir, path))
    .filter((path) => statSync(path).isFile())
    .sort();
}

function loadDocs(): Map<string, Set<string>> {
  const docs = new Map<string, Set<string>>();
  for (const name of readdirSync(join(root, 'docs'))) {
    if (name.endsWith('.md')) docs.set(name, sectionsOf(readFileSync(join(root, 'docs', name), 'utf8')));
  }
  return docs;
}

// --- the checker itself ---------------------------------------------------------------------

const SAMPLE_DOCS = new Map([
  ['wire.md', sectionsOf('# t\n## 1. A\n### 1.2 B\n## 6. C\n### 6.3 D\n## Appendix A — E\n')],
  ['rpc.md', sectionsOf('## 2. A\n## 5. B\n### 6.1 C\n### 6.2 D\n#### 6.4.1 E\n## 7. F\n')],
]);

test('headings give section ids: numbers with or without a trailing dot, appendices', () => {
  assert.deepEqual([...sectionsOf('# Title\n## 1. One\n### 1.2 Two\n#### 1.2.3 Three\n## Appendix B — x\n## 10.\nnot ## 4. a heading\n')], ['1', '1.2', '1.2.3', 'Appendix B', '10']);
});

test('citations: single, lists, ranges, appendices, backticks, sentence ends', () => {
  const text = [
    'see docs/wire.md §6.3.',
    'per docs/rpc.md §2, §6.1 and §6.5 and',
    '(docs/rpc.md §5-§7, docs/rpc.md §6.1–6.2)',
    'docs/wire.md App. A or docs/wire.md Appendix A',
    '`docs/rpc.md` §6.4.1',
    'docs/deviations.md alone',
    'not a citation: src/docs/wire.md §9, mydocs/wire.md §9',
  ].join('\n');
  assert.deepEqual(
    citationsIn(text).map((c) => [c.file, c.sections]),
    [
      ['wire.md', ['6.3']],
      ['rpc.md', ['2', '6.1', '6.5']],
      ['rpc.md', ['5', '7']],
      ['rpc.md', ['6.1', '6.2']],
      ['wire.md', ['Appendix A']],
      ['wire.md', ['Appendix A']],
      ['rpc.md', ['6.4.1']],
      ['deviations.md', []],
    ],
  );
});

test('inside docs, bare sections cite the file itself and prefix-less names cite docs files', () => {
  const cites = citationsIn('as §6.3 says; see `rpc.md` §2 and [rpc.md](rpc.md); README.md §1 is not ours', 'wire.md');
  assert.deepEqual(cites.map((c) => [c.file, c.sections]), [
    ['rpc.md', ['2']],
    ['rpc.md', []],
    ['rpc.md', []],
    ['wire.md', ['6.3']],
  ]);
});

test('the checker fails on a missing file, a missing section and the old notes', () => {
  const good = 'docs/wire.md §6.3, docs/rpc.md §6.4.1, docs/wire.md Appendix A, docs/rpc.md §5-§7';
  assert.deepEqual(problemsIn('good.ts', good, SAMPLE_DOCS), []);
  // Broken citations are assembled, so that this file does not fail its own scan.
  const d = 'docs' + '/';
  const old = [...['WIRE', 'RPC', 'TYPES'].map((n) => n + '.md'), '../' + 'shared'];
  const bad = `// ${d}wire.md §6.4\n// ${d}nope.md §1\n// ${d}rpc.md §6.4.2 and App. B\n// ${old.join(' ')}/x`;
  assert.deepEqual(problemsIn('bad.ts', bad, SAMPLE_DOCS), [
    `bad.ts:1: ${d}wire.md has no section §6.4`,
    `bad.ts:2: ${d}nope.md does not exist`,
    `bad.ts:3: ${d}rpc.md has no section §6.4.2`,
    `bad.ts:3: ${d}rpc.md has no section Appendix B`,
    ...old.map((o) => `bad.ts:4: cites the old working notes (${o}); cite docs/ instead`),
  ]);
});

// --- the repository ---------------------------------------------------------------------------

test('every docs citation in the repository resolves, and nothing cites the old notes', () => {
  const docs = loadDocs();
  for (const name of ['README.md', 'wire.md', 'rpc.md', 'types.md', 'deviations.md']) assert.ok(docs.has(name), `docs/${name} is missing`);
  const files = [...SCAN_DIRS.flatMap((d) => filesBelow(join(root, d))), ...SCAN_FILES.map((f) => join(root, f)).filter((f) => existsSync(f))];
  assert.ok(files.length > 100, `only ${files.length} files found to scan below ${root}`);
  const problems: string[] = [];
  let citations = 0;
  for (const file of files) {
    const path = relative(root, file).split(sep).join('/');
    const text = readFileSync(file, 'utf8');
    const inDocs = path.startsWith('docs/') && !path.slice(5).includes('/') ? path.slice(5) : undefined;
    citations += citationsIn(text, inDocs).length;
    problems.push(...problemsIn(path, text, docs, inDocs));
  }
  assert.deepEqual(problems, []);
  assert.ok(citations > 100, `only ${citations} citations found`);
});

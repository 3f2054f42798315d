/**
 * What the documentation tells a library user to import works from the package as published: the
 * package is packed (`npm pack`, as `npm publish` would), unpacked into a scratch project's
 * `node_modules/fluxrpc` with its `dependencies` linked from this checkout (offline: no registry),
 * and from there
 * - every `import … from 'fluxrpc…'` in README.md and docs/ resolves, with every name it imports;
 * - every entry point in package.json `exports` loads, and its `types` file is in the package;
 * - the README's and docs' TypeScript examples that import the package type-check against the
 *   packed declarations (strict, NodeNext, as a user's project would).
 *
 * Needs `npm run build` first (the pack takes `dist/`), as every test does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface DocumentedImport {
  /** Where it is written: `README.md:458`. */
  where: string;
  /** The module specifier, `fluxrpc` or `fluxrpc/<entry>`. */
  from: string;
  /** Value names imported (type-only names are left out: they do not exist at run time). */
  names: string[];
}

/** The `import { … } from 'fluxrpc…'` statements of a markdown text (any code block, any form). */
export function importsIn(markdown: string, file: string): DocumentedImport[] {
  const out: DocumentedImport[] = [];
  const statement = /import\s+(type\s+)?(?:\{([^}]*)\}|\*\s+as\s+\w+|(\w+))\s+from\s+['"](fluxrpc(?:\/[\w-]+)?)['"]/g;
  for (const m of markdown.matchAll(statement)) {
    const typeOnly = m[1] !== undefined;
    const names = typeOnly
      ? []
      : (m[2] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '' && !s.startsWith('type '))
          .map((s) => s.split(/\s+as\s+/)[0]!.trim());
    if (m[3]) names.push('default');
    out.push({ where: `${file}:${markdown.slice(0, m.index).split('\n').length}`, from: m[4]!, names });
  }
  return out;
}

/** The TypeScript code blocks of a markdown text that import the package. */
export function examplesIn(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => /from\s+['"]fluxrpc/.test(code));
}

function documents(): { file: string; text: string }[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .sort()
    .map((n) => `docs/${n}`);
  return ['README.md', ...docs].map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));
}

// --- the extraction itself --------------------------------------------------------------------

test('imports are read from any code block, in every form; type-only names are left out', () => {
  const md = [
    '```ts',
    "import { Client, type CallOptions, Server as S } from 'fluxrpc';",
    "import type { Logger } from 'fluxrpc/runtime';",
    "import * as hub from 'fluxrpc/hub';",
    "import {",
    '  Dashboard,',
    "  UserStore } from 'fluxrpc/dashboard';",
    "import { x } from 'fluxrpcx';",
    "import { y } from 'other';",
    '```',
  ].join('\n');
  assert.deepEqual(importsIn(md, 'X.md'), [
    { where: 'X.md:2', from: 'fluxrpc', names: ['Client', 'Server'] },
    { where: 'X.md:3', from: 'fluxrpc/runtime', names: [] },
    { where: 'X.md:4', from: 'fluxrpc/hub', names: [] },
    { where: 'X.md:5', from: 'fluxrpc/dashboard', names: ['Dashboard', 'UserStore'] },
  ]);
  assert.equal(examplesIn(md + '\n```ts\nconst a = 1;\n```\n').length, 1);
});

// --- the packed package -----------------------------------------------------------------------

test('every documented import, every entry point and the typed examples work from the packed package', { timeout: 120_000 }, (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'fluxrpc-pack-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));

  // Pack as npm publish would (dist/ is already built; no lifecycle scripts).
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, encoding: 'utf8', timeout: 60_000 })) as { filename: string }[];
  const tarball = join(scratch, packed[0]!.filename.replace(/^@[^/]+\//, '').replace('/', '-'));
  assert.ok(existsSync(tarball), `npm pack wrote ${tarball}`);

  // Install it by hand: unpack into node_modules/fluxrpc and link its dependencies from this checkout.
  const project = join(scratch, 'project');
  const modules = join(project, 'node_modules');
  mkdirSync(modules, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  execFileSync('tar', ['-xzf', tarball, '-C', modules], { timeout: 30_000 });
  const pkgDir = join(modules, 'fluxrpc');
  execFileSync('mv', [join(modules, 'package'), pkgDir]);
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; exports: Record<string, string | { types: string; import: string }> };
  for (const dep of [...Object.keys(pkg.dependencies ?? {}), '@types/node']) {
    const link = join(modules, dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), link, 'dir');
  }

  // Every entry point: its types file is shipped.
  const entries = Object.entries(pkg.exports).filter(([key]) => key !== './package.json');
  assert.ok(entries.length >= 11, `${entries.length} entry points`);
  for (const [key, target] of entries) {
    assert.equal(typeof target, 'object', `${key} has types and import`);
    const { types } = target as { types: string };
    assert.ok(existsSync(join(pkgDir, types)), `${key}: ${types} is in the package`);
  }

  // Every documented import and every entry point, loaded in one node process from the project.
  const docs = documents();
  const imports = docs.flatMap((d) => importsIn(d.text, d.file));
  assert.ok(imports.length >= 5, `${imports.length} documented imports found`);
  const checks = [
    ...entries.map(([key]) => ({ where: `package.json exports ${key}`, from: key === '.' ? 'fluxrpc' : `fluxrpc/${key.slice(2)}`, names: [] as string[] })),
    ...imports,
  ];
  const script = [
    `const checks = ${JSON.stringify(checks)};`,
    'const problems = [];',
    'for (const c of checks) {',
    '  try {',
    '    const ns = await import(c.from);',
    '    if (Object.keys(ns).length === 0) problems.push(`${c.where}: ${c.from} exports nothing`);',
    '    for (const n of c.names) if (!(n in ns)) problems.push(`${c.where}: ${c.from} has no export ${n}`);',
    '  } catch (e) {',
    '    problems.push(`${c.where}: ${c.from} does not load: ${e.message.split("\\n")[0]}`);',
    '  }',
    '}',
    'console.log(JSON.stringify(problems));',
    'process.exit(0);',
  ].join('\n');
  writeFileSync(join(project, 'imports.mjs'), script);
  const out = execFileSync(process.execPath, ['imports.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), []);

  // The examples, each a module of its own, type-checked as a user's strict NodeNext project.
  const examples = docs.flatMap((d) => examplesIn(d.text));
  assert.ok(examples.length >= 2, `${examples.length} typed examples found`);
  examples.forEach((code, i) => writeFileSync(join(project, `example${i}.ts`), code));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], lib: ['ES2023'] }, include: ['example*.ts'] }),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  } catch (e) {
    assert.fail(`the documented examples do not type-check against the packed package:\n${(e as { stdout?: string }).stdout ?? (e as Error).message}`);
  }
});

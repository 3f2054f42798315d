/**
 * Checks this port against vectors computed by the real Go packages
 * (test/interop/go/cmd/policyvectors → test/interop/vectors/policy/go-vectors.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  alreadySorted,
  filterAndSortImages,
  filterAndSortRepositoryMetadata,
  filterImages,
  getTagPattern,
  globMatch,
  imagesToSort,
  InvalidContainerFieldError,
  matchWithLatest,
  newContainer,
  newerByCreated,
  newerBySemver,
  newPattern,
  NoImageSourceError,
  parseSemverVersion,
  SemverConstraints,
  sortImages,
  sortImagesFor,
  ZERO_TIME_NS,
  type ContainerFields,
  type ImageFacts,
  type ImageSource,
} from './index.js';

// Compiled, this file runs from dist/src/flux/policy/: the repository root is four levels up.
const VECTORS = new URL('../../../../test/interop/vectors/policy/go-vectors.json', import.meta.url);

interface ImageJSON {
  tag: string;
  ref: string;
  createdNs: string | null;
}
interface ContainerResultJSON {
  name?: string;
  current?: ImageJSON;
  latestFiltered?: number;
  available?: number[];
  availableError?: string;
  availableImagesCount?: number;
  newAvailableImagesCount?: number;
  filteredImagesCount?: number;
  newFilteredImagesCount?: number;
}
interface Vectors {
  goVersion: string;
  tags: string[];
  patterns: { pattern: string; string: string; valid: boolean; requiresTimestamp: boolean; matches: string; matchWithLatest: string }[];
  globSubjects: string[];
  globs: { pattern: string; matches: string }[];
  versions: { text: string; error?: string; major?: string; minor?: string; patch?: string; prerelease?: string; metadata?: string; string?: string }[];
  versionOrder: { versions: string[]; rows: string[] };
  constraints: { constraint: string; error?: string; check?: string }[];
  imageSets: {
    name: string;
    images: ImageJSON[];
    newerByCreated: string[];
    newerBySemver: string[];
    sortByCreated: number[];
    sortBySemver: number[];
    patterns: { pattern: string; filtered: number[]; sorted: number[]; filterAndSort: number[] }[];
  }[];
  repositories: { set: string; tags: string[]; known: number[]; pattern: string; result?: number[]; error?: string }[];
  tagPatterns: { policies: Record<string, string> | null; container: string; pattern: string }[];
  outsideCurrent: ImageJSON;
  containers: {
    set: string;
    source: 'repo' | 'sorted' | 'reversed' | 'none';
    current: number;
    pattern: string;
    fields: string[] | null;
    result?: ContainerResultJSON;
    error?: string;
    partial?: ContainerResultJSON;
    panic?: boolean;
  }[];
}

const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vectors;

/**
 * Go 1.22 added `(?<name>…)`; the Go that computed the vectors may accept it, but flux as built
 * (Go 1.17–1.19) rejects it, and so do we (docs/types.md §15). These vectors list the expressions that
 * use it; for them we expect Go 1.19's answer: invalid, hence matching every tag.
 */
const ANGLE_NAMED_GROUPS = new Set(['regexp:(?<x>a)', 'regex:(?<x>a)', 'regexp:(?<x>\\d)\\.', 'regexp:[(?<](?<n>1)']);
const goMinor = Number(/^go1\.(\d+)/.exec(vectors.goVersion)?.[1] ?? '0');

function bits(n: number, f: (i: number) => boolean): string {
  let s = '';
  for (let i = 0; i < n; i++) s += f(i) ? '1' : '0';
  return s;
}

/** Collects mismatches so that one run reports many, and asserts that vectors were checked at all. */
class Tally {
  readonly failures: string[] = [];
  checked = 0;
  eq(actual: unknown, expected: unknown, what: string): void {
    this.checked++;
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      this.failures.push(`${what}: got ${show(actual)}, Go ${show(expected)}`);
    }
  }
  done(min: number): void {
    assert.ok(this.checked >= min, `only ${this.checked} vectors checked`);
    assert.deepEqual(this.failures.slice(0, 25), [], `${this.failures.length} of ${this.checked} vectors differ`);
  }
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
}

function facts(j: ImageJSON, zeroAsValue = false): ImageFacts {
  const createdNs = j.createdNs === null ? (zeroAsValue ? ZERO_TIME_NS : undefined) : BigInt(j.createdNs);
  return { tag: j.tag, ref: j.ref, createdNs };
}

test('patterns: String, Valid, RequiresTimestamp, Matches, matchWithLatest over every tag', () => {
  const t = new Tally();
  const { tags } = vectors;
  for (const v of vectors.patterns) {
    const p = newPattern(v.pattern);
    const expected = { ...v };
    if (ANGLE_NAMED_GROUPS.has(v.pattern)) {
      if (goMinor >= 22) t.eq(v.valid, true, `${v.pattern}: Go ${vectors.goVersion} accepts (?<name>)`);
      Object.assign(expected, { valid: false, matches: '1'.repeat(tags.length) });
      expected.matchWithLatest = bits(tags.length, (i) => !/^latest$/i.test(tags[i]!.replace('ſ', 's')));
    }
    t.eq(p.toString(), expected.string, `${show(v.pattern)} String`);
    t.eq(p.valid(), expected.valid, `${show(v.pattern)} Valid`);
    t.eq(p.requiresTimestamp(), expected.requiresTimestamp, `${show(v.pattern)} RequiresTimestamp`);
    t.eq(bits(tags.length, (i) => p.matches(tags[i]!)), expected.matches, `${show(v.pattern)} Matches`);
    t.eq(bits(tags.length, (i) => matchWithLatest(p, tags[i]!)), expected.matchWithLatest, `${show(v.pattern)} matchWithLatest`);
  }
  t.done(5 * 200);
});

test('globs', () => {
  const t = new Tally();
  for (const v of vectors.globs) {
    t.eq(bits(vectors.globSubjects.length, (i) => globMatch(v.pattern, vectors.globSubjects[i]!)), v.matches, show(v.pattern));
  }
  t.done(25);
});

test('semver versions: parts or error text', () => {
  const t = new Tally();
  for (const v of vectors.versions) {
    let got: object;
    try {
      const x = parseSemverVersion(v.text);
      got = { text: v.text, major: `${x.major}`, minor: `${x.minor}`, patch: `${x.patch}`, string: x.toString() };
      if (x.prerelease !== '') Object.assign(got, { prerelease: x.prerelease });
      if (x.metadata !== '') Object.assign(got, { metadata: x.metadata });
    } catch (err) {
      got = { text: v.text, error: (err as Error).message };
    }
    t.eq(got, v, show(v.text));
  }
  t.done(140);
});

test('semver versions: Compare of every pair', () => {
  const t = new Tally();
  const vs = vectors.versionOrder.versions.map((s) => parseSemverVersion(s));
  vs.forEach((a, i) => {
    const row = vs.map((b) => '<=>'[a.compare(b) + 1]).join('');
    t.eq(row, vectors.versionOrder.rows[i], `compare ${show(a.original)}`);
  });
  t.done(90);
});

test('semver constraints: error text or Check over every version', () => {
  const t = new Tally();
  const vs = vectors.versionOrder.versions.map((s) => parseSemverVersion(s));
  for (const v of vectors.constraints) {
    let got: object;
    try {
      const c = SemverConstraints.parse(v.constraint);
      got = { constraint: v.constraint, check: bits(vs.length, (i) => c.check(vs[i]!)) };
    } catch (err) {
      got = { constraint: v.constraint, error: (err as Error).message };
    }
    t.eq(got, v, show(v.constraint));
  }
  t.done(200);
});

test('image sets: Newer* for every pair, sorts, filters (zero time absent or explicit)', () => {
  const t = new Tally();
  for (const zeroAsValue of [false, true]) {
    for (const set of vectors.imageSets) {
      const images = set.images.map((j) => facts(j, zeroAsValue));
      const idx = (list: readonly ImageFacts[]) => list.map((x) => images.indexOf(x));
      const at = `${set.name}${zeroAsValue ? ' (explicit zero)' : ''}`;
      images.forEach((a, i) => {
        t.eq(bits(images.length, (j) => newerByCreated(a, images[j]!)), set.newerByCreated[i], `${at} NewerByCreated row ${i}`);
        t.eq(bits(images.length, (j) => newerBySemver(a, images[j]!)), set.newerBySemver[i], `${at} NewerBySemver row ${i}`);
      });
      t.eq(idx(sortImages(images, 'created')), set.sortByCreated, `${at} sort by created`);
      t.eq(idx(sortImages(images, 'semver')), set.sortBySemver, `${at} sort by semver`);
      for (const v of set.patterns) {
        const p = newPattern(v.pattern);
        t.eq(idx(filterImages(images, p)), v.filtered, `${at} ${show(v.pattern)} FilterImages`);
        t.eq(idx(sortImagesFor(images, p)), v.sorted, `${at} ${show(v.pattern)} SortImages`);
        t.eq(idx(filterAndSortImages(images, p)), v.filterAndSort, `${at} ${show(v.pattern)} filter and sort`);
      }
    }
  }
  t.done(2 * 25 * 60);
});

test('FilterAndSortRepositoryMetadata: result or missing-metadata error', () => {
  const t = new Tally();
  for (const v of vectors.repositories) {
    const set = vectors.imageSets.find((s) => s.name === v.set)!;
    const images = set.images.map((j) => facts(j));
    const byTag = new Map<string, ImageFacts>();
    v.tags.forEach((tag, i) => {
      if (v.known[i]! >= 0) byTag.set(tag, images[v.known[i]!]!);
    });
    let got: object;
    try {
      const result = filterAndSortRepositoryMetadata({ tags: v.tags, images: byTag }, newPattern(v.pattern));
      got = { result: result.map((x) => images.indexOf(x)) };
    } catch (err) {
      got = { error: (err as Error).message };
    }
    t.eq(got, v.error === undefined ? { result: v.result ?? [] } : { error: v.error }, `${show(v.tags.at(-1))} ${show(v.pattern)}`);
  }
  t.done(60);
});

test('GetTagPattern, with policies as a plain object and as a Map', () => {
  const t = new Tally();
  for (const v of vectors.tagPatterns) {
    const what = `${show(v.policies)} ${show(v.container)}`;
    t.eq(getTagPattern(v.policies, v.container).toString(), v.pattern, what);
    if (v.policies !== null) t.eq(getTagPattern(new Map(Object.entries(v.policies)), v.container).toString(), v.pattern, `${what} (Map)`);
  }
  t.done(150);
});

test('NewContainer: fields, invalid-field errors with partial fields, panics without a source', () => {
  const t = new Tally();
  const zero: ImageFacts = { tag: '', ref: '' };
  const outside = facts(vectors.outsideCurrent);
  for (const v of vectors.containers) {
    const set = vectors.imageSets.find((s) => s.name === v.set)!;
    const images = set.images.map((j) => facts(j));
    const current = v.current === -1 ? zero : v.current === -2 ? outside : images[v.current]!;
    const sources: Record<typeof v.source, ImageSource<ImageFacts> | undefined> = {
      repo: imagesToSort(images),
      sorted: alreadySorted(images),
      reversed: alreadySorted([...images].reverse()),
      none: undefined,
    };
    const encode = (c: ContainerFields<ImageFacts>): ContainerResultJSON => {
      const r: ContainerResultJSON = {};
      if (c.name !== '') r.name = c.name;
      if (c.current !== undefined && (c.current.ref !== '' || c.current.tag !== '' || c.current.createdNs !== undefined)) {
        r.current = { tag: c.current.tag, ref: c.current.ref, createdNs: c.current.createdNs === undefined ? null : `${c.current.createdNs}` };
      }
      if (c.latestFiltered !== undefined) r.latestFiltered = images.indexOf(c.latestFiltered);
      if (c.available.length > 0) r.available = c.available.map((x) => images.indexOf(x));
      if (c.availableError !== '') r.availableError = c.availableError;
      for (const k of ['availableImagesCount', 'newAvailableImagesCount', 'filteredImagesCount', 'newFilteredImagesCount'] as const) {
        if (c[k] !== 0) r[k] = c[k];
      }
      return r;
    };
    let got: object;
    try {
      got = { result: encode(newContainer('app', sources[v.source], current, newPattern(v.pattern), v.fields)) };
    } catch (err) {
      if (err instanceof InvalidContainerFieldError) got = { error: err.message, partial: encode(err.partial as ContainerFields<ImageFacts>) };
      else if (err instanceof NoImageSourceError) got = { panic: true };
      else throw err;
    }
    const expected = v.panic ? { panic: true } : v.error !== undefined ? { error: v.error, partial: v.partial } : { result: v.result };
    t.eq(got, expected, `${v.set} ${v.source} current=${v.current} ${show(v.pattern)} ${show(v.fields)}`);
  }
  t.done(3000);
});

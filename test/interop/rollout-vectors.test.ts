/**
 * The rollout-status polyfill (docs/rpc.md §6.4.1) against golden vectors from Go: for ~700 status
 * strings, what Go's `fmt.Sscanf(status, "%d out of %d updated", &Updated, &Desired)` did (count,
 * error text, the fields after, starting from Updated=42/Desired=43) and the whole status after
 * flux's own V11 client ran `listServicesRolloutStatus` on it. Vectors:
 * test/interop/vectors/rpc/rollout.json, made by `fluxpeer rollout-vectors` (regenerate with
 * `test/interop/go/bin/fluxpeer rollout-vectors > test/interop/vectors/rpc/rollout.json`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { controllerStatus, type RolloutStatus } from '../../src/flux/model/controller-status.js';
import { ROLLOUT_STATUS_FORMAT, polyfillRolloutStatus, polyfillStatus, sscanfInts } from '../../src/flux/versions/index.js';
import { repoRoot } from './go-peer.js';

interface GoRollout {
  Desired: number;
  Updated: number;
  Ready: number;
  Available: number;
  Outdated: number;
  Messages: string[] | null;
}

interface RolloutVector {
  status: string;
  n: number;
  err: string;
  updated: number;
  desired: number;
  after: { status: string; rollout: GoRollout };
}

const file = JSON.parse(readFileSync(join(repoRoot, 'test', 'interop', 'vectors', 'rpc', 'rollout.json'), 'utf8')) as {
  format: string;
  initial: GoRollout;
  vectors: RolloutVector[];
};

const fromGo = (r: GoRollout): RolloutStatus => ({
  desired: r.Desired,
  updated: r.Updated,
  ready: r.Ready,
  available: r.Available,
  outdated: r.Outdated,
  messages: r.Messages,
});

test('the vectors are the format and table we expect (guards against an empty or stale file)', () => {
  assert.equal(file.format, ROLLOUT_STATUS_FORMAT);
  assert.ok(file.vectors.length >= 600, `only ${file.vectors.length} vectors`);
  const counts = [0, 1, 2].map((n) => file.vectors.filter((v) => v.n === n).length);
  assert.ok(counts.every((c) => c > 50), `too few vectors per outcome: ${counts.join(', ')}`);
  // docs/rpc.md §6.4.1's own examples are in the table, with the outcomes it states.
  const byStatus = new Map(file.vectors.map((v) => [v.status, v]));
  assert.deepEqual(byStatus.get('3 out of 5 updated')!.after, { status: 'updating', rollout: { ...file.initial, Desired: 5, Updated: 3, Ready: 3, Available: 3 } });
  assert.equal(byStatus.get('3out of 5 updated')!.after.rollout.Updated, 3);
  assert.equal(byStatus.get('99999999999 out of 5 updated')!.after.rollout.Updated, 42);
});

test("Go's fmt.Sscanf: count, error text and stored values", () => {
  const mismatches: string[] = [];
  for (const v of file.vectors) {
    const scan = sscanfInts(v.status, ROLLOUT_STATUS_FORMAT, 32);
    const got = {
      n: scan.count,
      err: scan.error ?? '',
      updated: scan.count >= 1 ? scan.values[0] : file.initial.Updated,
      desired: scan.count >= 2 ? scan.values[1] : file.initial.Desired,
    };
    const want = { n: v.n, err: v.err, updated: v.updated, desired: v.desired };
    if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(v.status)}: got ${JSON.stringify(got)}, Go ${JSON.stringify(want)}`);
  }
  assert.deepEqual(mismatches, []);
});

test("the polyfill leaves each status as flux's client does", () => {
  const mismatches: string[] = [];
  for (const v of file.vectors) {
    const after = polyfillStatus(controllerStatus({ status: v.status, rollout: fromGo(file.initial) }));
    const got = { status: after.status, rollout: after.rollout };
    const want = { status: v.after.status, rollout: fromGo(v.after.rollout) };
    try {
      assert.deepEqual(got, want);
    } catch {
      mismatches.push(`${JSON.stringify(v.status)}: got ${JSON.stringify(got)}, Go ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(mismatches, []);
});

test('the polyfill over a whole list, and idempotence (a polyfilled status no longer scans)', () => {
  const list = file.vectors.map((v) => controllerStatus({ status: v.status, rollout: fromGo(file.initial) }));
  const once = polyfillRolloutStatus(list)!;
  assert.deepEqual(
    once.map((s) => ({ status: s.status, rollout: s.rollout })),
    file.vectors.map((v) => ({ status: v.after.status, rollout: fromGo(v.after.rollout) })),
  );
  const polyfilled = once.filter((s, i) => file.vectors[i]!.n === 2);
  assert.ok(polyfilled.length > 50);
  assert.deepEqual(polyfillRolloutStatus(polyfilled), polyfilled);
  assert.equal(polyfillRolloutStatus(null), null);
});

/**
 * Realistic ListServices data at any size: the 50 workload statuses of bench/fixtures (as Go's
 * json.Marshal wrote them, with images, labels and policies), repeated with unique IDs. About 4.8 KB
 * per status: 12,550 make a 60 MB reply.
 */
import { readFileSync } from 'node:fs';
import { decodeControllerStatusList, type ControllerStatus } from '../../src/flux/model/controller-status.js';

const FIXTURE = new URL('../../../bench/fixtures/statuses-50.json', import.meta.url);

/** The fixture's statuses as parsed JSON (Go's field names). */
export function fixtureStatusJson(): Record<string, unknown>[] {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>[];
}

/** `n` statuses as parsed JSON, the fixture's repeated with IDs `<namespace>:deployment/app-<i>`. */
export function manyStatusJson(n: number): Record<string, unknown>[] {
  const base = fixtureStatusJson();
  return Array.from({ length: n }, (_, i) => ({ ...base[i % base.length]!, ID: `ns-${Math.floor(i / 1000)}:deployment/app-${i}` }));
}

/** `n` statuses as model values. */
export function manyStatuses(n: number): readonly ControllerStatus[] {
  return decodeControllerStatusList(manyStatusJson(n))!;
}

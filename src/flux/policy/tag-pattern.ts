/**
 * The tag pattern of a container, from its workload's policies (docs/types.md §17).
 */
import { newPattern, PATTERN_ALL, type Pattern } from './pattern.js';

/** Policy name → value, as a map or a plain object (own properties only are consulted). */
export type PolicyValues = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** The policy holding the tag pattern of `container`. */
export function tagPolicyName(container: string): string {
  return `tag.${container}`;
}

function lookup(policies: PolicyValues, name: string): string | undefined {
  if (policies instanceof Map) return policies.get(name);
  const record = policies as Readonly<Record<string, string>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Go's `policy.GetTagPattern`: the `tag.<container>` policy through `newPattern`, or
 * {@link PATTERN_ALL} when there are no policies or no such policy. An empty value is a pattern
 * too (glob `""`, selecting only the empty tag).
 */
export function getTagPattern(policies: PolicyValues | null | undefined, container: string): Pattern {
  if (policies === null || policies === undefined) return PATTERN_ALL;
  const value = lookup(policies, tagPolicyName(container));
  return value === undefined ? PATTERN_ALL : newPattern(value);
}

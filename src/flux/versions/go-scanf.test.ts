/**
 * Go's `fmt.Sscanf` subset. The vectors were produced by Go's own `fmt.Sscanf` (Go 1.26, whose
 * scanning code is unchanged since long before Go 1.19, the version docs/rpc.md §6.4.1 was verified
 * with; its rows are among these), into `int32` targets preset to 42 and 43, and pasted verbatim.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sscanfInts } from './go-scanf.js';

/** [input, n, error text, first target, second target] for "%d out of %d updated". */
const ROLLOUT_VECTORS: [string, number, string, number, number][] = [
  ["3 out of 5 updated", 2, "", 3, 5],
  ["  3 out of 5 updated", 2, "", 3, 5],
  ["3 out of  5 updated", 2, "", 3, 5],
  ["3 out of 5", 2, "unexpected EOF", 3, 5],
  ["3 out of 5 updated, 1 outdated", 2, "", 3, 5],
  ["+3 out of -5 updated", 2, "", 3, -5],
  ["3out of 5 updated", 1, "expected space in input to match format", 3, 43],
  ["7", 1, "unexpected EOF", 7, 43],
  ["3 of 5", 1, "input does not match format", 3, 43],
  ["99999999999 out of 5 updated", 0, "integer overflow on token 99999999999", 42, 43],
  ["ready", 0, "expected integer", 42, 43],
  ["", 0, "EOF", 42, 43],
  ["3 out of 99999999999 updated", 1, "integer overflow on token 99999999999", 3, 43],
  ["2147483647 out of 2147483647 updated", 2, "", 2147483647, 2147483647],
  ["-2147483648 out of 0", 2, "unexpected EOF", -2147483648, 0],
  ["2147483648 out of 1", 0, "integer overflow on token 2147483648", 42, 43],
  ["99999999999999999999 out of 1", 0, "strconv.ParseInt: parsing \"99999999999999999999\": value out of range", 42, 43],
  ["3 out of 5updated", 2, "expected space in input to match format", 3, 5],
  ["3 out of 5 upd", 2, "unexpected EOF", 3, 5],
  ["3\tout\tof\t5", 2, "unexpected EOF", 3, 5],
  ["3 \t out of 5", 2, "unexpected EOF", 3, 5],
  ["\n3 out of 5", 0, "unexpected newline", 42, 43],
  ["3\nout of 5", 1, "newline in input does not match format", 3, 43],
  ["3 out\nof 5", 1, "newline in input does not match format", 3, 43],
  [" \u00a03 out of 5", 2, "unexpected EOF", 3, 5],
  ["3\u00a0out of 5", 2, "unexpected EOF", 3, 5],
  ["3 out of\u20035", 2, "unexpected EOF", 3, 5],
  ["+ 3 out of 5", 0, "expected integer", 42, 43],
  ["-", 0, "EOF", 42, 43],
  ["+", 0, "EOF", 42, 43],
  ["3 out of +", 1, "EOF", 3, 43],
  ["03 out of 007 updated", 2, "", 3, 7],
  ["3 out of 5\n", 2, "newline in input does not match format", 3, 5],
  ["3 out of 5 \n", 2, "input does not match format", 3, 5],
  ["3  out  of  5  updated", 2, "", 3, 5],
  ["3 out of 5\r\n", 2, "input does not match format", 3, 5],
  ["\r\n3 out of 5", 0, "unexpected newline", 42, 43],
  ["3 Out of 5", 1, "input does not match format", 3, 43],
  ["1_000 out of 2", 1, "expected space in input to match format", 1, 43],
  ["0x10 out of 2", 1, "expected space in input to match format", 0, 43],
  ["3 out of 5 updated!", 2, "", 3, 5],
  ["updating", 0, "expected integer", 42, 43],
  ["3 out of -0", 2, "unexpected EOF", 3, 0],
  ["\uff13 out of 5", 0, "expected integer", 42, 43],
  ["3 out of 5 updated\u0085", 2, "", 3, 5],
  ["3\u0085out of 5", 2, "unexpected EOF", 3, 5],
  ["3 out of", 1, "EOF", 3, 43],
  ["3 out of ", 1, "EOF", 3, 43],
  ["3 ", 1, "unexpected EOF", 3, 43],
];

/** [format, input, n, error text, first target, second target] for other formats. */
const OTHER_VECTORS: [string, string, number, string, number, number][] = [
  ["%d %d","1 2",2,"",1,2],
  ["%d %d","1\n2",1,"newline in input does not match format",1,43],
  ["%d %d","1 \n 2",1,"unexpected newline",1,43],
  ["%d %d","1  \n2",1,"unexpected newline",1,43],
  ["%d %d","a%7",0,"expected integer",42,43],
  ["%d %d","a7",0,"expected integer",42,43],
  ["%d %d","1, 2!",1,"expected space in input to match format",1,43],
  ["%d %d","1,2!",1,"expected space in input to match format",1,43],
  ["%d %d","1 , 2",1,"expected integer",1,43],
  ["%d %d","",0,"EOF",42,43],
  ["%d %d","1\n\n2",1,"newline in input does not match format",1,43],
  ["%d %d","1 2 3",2,"",1,2],
  ["%d\n%d","1 2",1,"newline in format does not match input",1,43],
  ["%d\n%d","1\n2",2,"",1,2],
  ["%d\n%d","1 \n 2",2,"",1,2],
  ["%d\n%d","1  \n2",2,"",1,2],
  ["%d\n%d","a%7",0,"expected integer",42,43],
  ["%d\n%d","a7",0,"expected integer",42,43],
  ["%d\n%d","1, 2!",1,"newline in format does not match input",1,43],
  ["%d\n%d","1,2!",1,"newline in format does not match input",1,43],
  ["%d\n%d","1 , 2",1,"newline in format does not match input",1,43],
  ["%d\n%d","",0,"EOF",42,43],
  ["%d\n%d","1\n\n2",1,"unexpected newline",1,43],
  ["%d\n%d","1 2 3",1,"newline in format does not match input",1,43],
  ["%d \n %d","1 2",1,"newline in format does not match input",1,43],
  ["%d \n %d","1\n2",2,"",1,2],
  ["%d \n %d","1 \n 2",2,"",1,2],
  ["%d \n %d","1  \n2",2,"",1,2],
  ["%d \n %d","a%7",0,"expected integer",42,43],
  ["%d \n %d","a7",0,"expected integer",42,43],
  ["%d \n %d","1, 2!",1,"newline in format does not match input",1,43],
  ["%d \n %d","1,2!",1,"newline in format does not match input",1,43],
  ["%d \n %d","1 , 2",1,"newline in format does not match input",1,43],
  ["%d \n %d","",0,"EOF",42,43],
  ["%d \n %d","1\n\n2",1,"unexpected newline",1,43],
  ["%d \n %d","1 2 3",1,"newline in format does not match input",1,43],
  ["a%%%d","1 2",0,"input does not match format",42,43],
  ["a%%%d","1\n2",0,"input does not match format",42,43],
  ["a%%%d","1 \n 2",0,"input does not match format",42,43],
  ["a%%%d","1  \n2",0,"input does not match format",42,43],
  ["a%%%d","a%7",1,"",7,43],
  ["a%%%d","a7",0,"input does not match format",42,43],
  ["a%%%d","1, 2!",0,"input does not match format",42,43],
  ["a%%%d","1,2!",0,"input does not match format",42,43],
  ["a%%%d","1 , 2",0,"input does not match format",42,43],
  ["a%%%d","",0,"unexpected EOF",42,43],
  ["a%%%d","1\n\n2",0,"input does not match format",42,43],
  ["a%%%d","1 2 3",0,"input does not match format",42,43],
  ["%d, %d!","1 2",1,"input does not match format",1,43],
  ["%d, %d!","1\n2",1,"input does not match format",1,43],
  ["%d, %d!","1 \n 2",1,"input does not match format",1,43],
  ["%d, %d!","1  \n2",1,"input does not match format",1,43],
  ["%d, %d!","a%7",0,"expected integer",42,43],
  ["%d, %d!","a7",0,"expected integer",42,43],
  ["%d, %d!","1, 2!",2,"",1,2],
  ["%d, %d!","1,2!",1,"expected space in input to match format",1,43],
  ["%d, %d!","1 , 2",1,"input does not match format",1,43],
  ["%d, %d!","",0,"EOF",42,43],
  ["%d, %d!","1\n\n2",1,"input does not match format",1,43],
  ["%d, %d!","1 2 3",1,"input does not match format",1,43],
];

/** Applies a scan result to targets preset to 42 and 43, as Go stores into them. */
function targets(format: string, input: string): [number, string, number, number] {
  const r = sscanfInts(input, format, 32);
  assert.equal(r.values.length, r.count);
  return [r.count, r.error ?? '', r.values[0] ?? 42, r.values[1] ?? 43];
}

test('"%d out of %d updated": n, error and stored values equal Go\'s for every vector', () => {
  for (const [input, n, error, a, b] of ROLLOUT_VECTORS) {
    assert.deepEqual(targets('%d out of %d updated', input), [n, error, a, b], JSON.stringify(input));
  }
});

test('other formats (newlines in the format, %%, literal punctuation) equal Go\'s', () => {
  for (const [format, input, n, error, a, b] of OTHER_VECTORS) {
    const [gn, ge, ga, gb] = targets(format, input);
    // The one-verb format has a single target; the second stays at its preset.
    assert.deepEqual([gn, ge, ga, format === 'a%%%d' ? 43 : gb], [n, error, a, b], `${JSON.stringify(format)} ${JSON.stringify(input)}`);
  }
});

test('docs/rpc.md §6.4.1 table: the side effect of a partial scan and the int32 overflow', () => {
  assert.deepEqual(sscanfInts('3out of 5 updated', '%d out of %d updated').values, [3]);
  assert.deepEqual(sscanfInts('99999999999 out of 5 updated', '%d out of %d updated').values, []);
  assert.deepEqual(sscanfInts('+3 out of -5 updated', '%d out of %d updated').values, [3, -5]);
  assert.ok(Object.is(sscanfInts('-0 out of 1', '%d out of %d').values[0], 0), '-0 scans as 0, not -0');
});

test('only %d and %% verbs are supported', () => {
  assert.throws(() => sscanfInts('x', '%s'), TypeError);
  assert.throws(() => sscanfInts('x', '%5d'), TypeError);
});

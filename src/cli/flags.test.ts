import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenError, parseByteSize, parseDuration, parseFlags, parseListen, parseLogLevel, positiveDuration, UsageError, type CommandSpec } from './flags.js';

test('durations and addresses parse like Go flags', () => {
  assert.equal(parseDuration('10s', 'x'), 10_000);
  assert.equal(parseDuration('1m30s', 'x'), 90_000);
  assert.equal(parseDuration('250ms', 'x'), 250);
  assert.equal(parseDuration('1.5h', 'x'), 5_400_000);
  assert.equal(parseDuration('1000us', 'x'), 1);
  assert.equal(parseDuration('1000000ns', 'x'), 1);
  assert.equal(parseDuration('+2s', 'x'), 2000);
  assert.equal(parseDuration('0', 'x'), 0);
  assert.equal(parseDuration('-0', 'x'), 0);
  for (const bad of ['', '10', 's', '10 s', '1d', '+', '-', '1s-']) assert.throws(() => parseDuration(bad, 'x'), { name: 'UsageError', message: `invalid --x ${JSON.stringify(bad)}: not a duration (examples: 10s, 1m30s, 500ms)` }, bad);
  // Node runs timers of at most 2^31−1 ms; longer ones would fire after 1 ms.
  assert.equal(parseDuration('596h', 'x'), 2_145_600_000);
  assert.equal(parseDuration('2147483647ms', 'x'), 2 ** 31 - 1);
  assert.throws(() => parseDuration('2147483648ms', 'x'), UsageError);
  assert.throws(() => parseDuration('600h', 'call-timeout'), { name: 'UsageError', message: 'invalid --call-timeout "600h": too long: at most 596h31m23.647s' });
  assert.deepEqual(parseListen('127.0.0.1:3030'), { host: '127.0.0.1', port: 3030 });
  assert.deepEqual(parseListen(':8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListen('localhost'), UsageError);
});

test('durations: never negative; 0 only where it means "no limit"; otherwise at least 1 ms', () => {
  for (const negative of ['-1s', '-1ns', '-.5h', '-1m30s']) {
    for (const parse of [parseDuration, positiveDuration]) {
      assert.throws(() => parse(negative, 'x'), { name: 'UsageError', message: `invalid --x ${JSON.stringify(negative)}: a duration cannot be negative (examples: 10s, 1m30s, 500ms)` });
    }
  }
  for (const short of ['1us', '999us', '999999ns', '0.0009s', '0.5ms']) {
    assert.throws(() => parseDuration(short, 'timeout'), { message: `invalid --timeout ${JSON.stringify(short)}: too short: at least 1ms (or 0 for no limit)` });
    assert.throws(() => positiveDuration(short, 'call-timeout'), { message: `invalid --call-timeout ${JSON.stringify(short)}: too short: at least 1ms` });
  }
  for (const zero of ['0', '0s', '0ms', '-0']) {
    assert.equal(parseDuration(zero, 'x'), 0);
    assert.throws(() => positiveDuration(zero, 'rpc-timeout'), { message: `invalid --rpc-timeout ${JSON.stringify(zero)}: must be at least 1ms` });
  }
  assert.equal(positiveDuration('1ms', 'x'), 1);
  assert.equal(positiveDuration('1000us', 'x'), 1);
  assert.equal(positiveDuration('1.5ms', 'x'), 1.5);
});

test('a negative value after a flag that takes one is the value (not "ambiguous"); after -- nothing is touched', () => {
  const spec: CommandSpec = { name: 'x', usage: 'fluxrpc x', summary: '', flags: { wait: { type: 'string', value: 'DURATION', help: '' }, json: { type: 'boolean', help: '' } } };
  assert.equal(parseFlags(spec, ['--wait', '-1s']).values.wait, '-1s');
  assert.equal(parseFlags(spec, ['--wait', '-.5s', '--json']).values.wait, '-.5s');
  assert.equal(parseFlags(spec, ['--wait=-1s']).values.wait, '-1s');
  assert.deepEqual(parseFlags(spec, ['--', '--wait', '-1s'], true).positionals, ['--wait', '-1s']);
  // Not a number: still node's error, one line, pointed at --help.
  assert.throws(() => parseFlags(spec, ['--wait', '--json']), { name: 'UsageError', message: '--wait needs a value (one that starts with "-" is written --wait=VALUE) (see fluxrpc x --help)' });
  assert.throws(() => parseFlags(spec, ['--wait']), { name: 'UsageError', message: "option '--wait <value>' argument missing (see fluxrpc x --help)" });
  // A boolean flag takes no value: "-1" stays an argument.
  assert.throws(() => parseFlags(spec, ['--json', '-1']), UsageError);
  assert.throws(() => parseFlags(spec, ['--bogus']), { message: 'unknown flag --bogus (see fluxrpc x --help)' });
});

test('--max-buffered-bytes takes bytes or KiB, MiB, GiB (and KB, MB, GB)', () => {
  assert.equal(parseByteSize('1048576', 'x'), 1048576);
  assert.equal(parseByteSize('256MiB', 'x'), 256 * 1024 * 1024);
  assert.equal(parseByteSize('1.5 GiB', 'x'), 1.5 * 1024 ** 3);
  assert.equal(parseByteSize('512kib', 'x'), 512 * 1024);
  assert.equal(parseByteSize('2MB', 'x'), 2_000_000);
  for (const bad of ['', '0', '-1', 'MiB', '1 parsec', '1e9']) assert.throws(() => parseByteSize(bad, 'max-buffered-bytes'), { name: 'UsageError', message: `invalid --max-buffered-bytes ${JSON.stringify(bad)}: use a positive size such as 268435456, 512MiB or 1GiB` });
});

test('--log-level: the default when absent; one of the levels; else a usage error', () => {
  assert.equal(parseLogLevel(undefined, 'warn'), 'warn');
  assert.equal(parseLogLevel('debug', 'info'), 'debug');
  assert.throws(() => parseLogLevel('loud', 'info'), { name: 'UsageError', message: 'invalid --log-level "loud": use debug, info, warn, error' });
});

test('a failed listen is one line naming the address', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  assert.equal(listenError(err('EADDRINUSE'), '127.0.0.1', 3030).message, 'cannot listen on 127.0.0.1:3030: address already in use');
  assert.equal(listenError(err('EACCES'), '0.0.0.0', 80).message, 'cannot listen on 0.0.0.0:80: permission denied');
  assert.equal(listenError(err('EADDRNOTAVAIL'), '10.9.9.9', 1).message, 'cannot listen on 10.9.9.9:1: address not available on this machine');
  assert.equal(listenError(err('EOTHER', 'something else'), '::1', 2).message, 'cannot listen on ::1:2: something else');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, MAX_LOGGED_STRING, redact } from './log.js';

test('no token reaches a log line: strings, errors, nested values and base fields are redacted', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (l: string) => lines.push(l), now: () => new Date(0) }).child({ url: 'wss://hub/?token=base-secret' });
  log.warn('connection attempt failed', {
    error: 'executing websocket wss://hub/v11/daemon: header "Authorization: Scope-Probe token=s3cret" refused',
    cause: new Error('echoed Scope-Probe token=err-secret'),
    nested: { headers: ['Scope-Probe token=deep-secret'] },
    attempt: 3,
    big: 10n,
  });
  log.info('Scope-Probe token=msg-secret');
  assert.equal(lines.length, 2);
  assert.doesNotMatch(lines.join('\n'), /secret/);
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(first, {
    time: '1970-01-01T00:00:00.000Z',
    level: 'warn',
    msg: 'connection attempt failed',
    url: 'wss://hub/?token=[redacted]',
    error: 'executing websocket wss://hub/v11/daemon: header "Authorization: Scope-Probe token=[redacted]" refused',
    cause: 'echoed Scope-Probe token=[redacted]',
    nested: { headers: ['Scope-Probe token=[redacted]'] },
    attempt: 3,
    big: '10',
  });
  assert.equal(redact('a token=x&b=1 TOKEN=y'), 'a token=[redacted]&b=1 TOKEN=[redacted]');
});

test('long strings are cut with a marker, at any depth, in the message too; cycles do not hang', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l: string) => lines.push(l) });
  const huge = 'x'.repeat(3_000_000);
  const cyclic: Record<string, unknown> = { name: 'c' };
  cyclic['self'] = cyclic;
  log.error(`failed: ${huge}`, { error: new Error(huge), nested: { deeper: [huge] }, cyclic });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.length < 4 * MAX_LOGGED_STRING, `line of ${lines[0]!.length} characters`);
  const record = JSON.parse(lines[0]!) as { msg: string; error: string; nested: { deeper: string[] }; cyclic: { self: unknown } };
  assert.match(record.msg, /^failed: x+…\[cut: 3000008 characters in all\]$/);
  assert.match(record.error, /…\[cut: 3000000 characters in all\]$/);
  assert.match(record.nested.deeper[0]!, /…\[cut: 3000000 characters in all\]$/);
  assert.equal(record.cyclic.self, '[circular]');
});

test('a token that straddles the cut is still redacted; % in messages is written as is', () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l: string) => lines.push(l) });
  log.warn('a'.repeat(MAX_LOGGED_STRING - 10) + 'token=abcdefghijklmnopqrstuvwxyz');
  log.info('100% done %s %d', { n: 1 });
  assert.doesNotMatch(lines[0]!, /abcdefghij/);
  assert.equal((JSON.parse(lines[1]!) as { msg: string }).msg, '100% done %s %d');
});

test('levels below the configured one are not written', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', write: (l: string) => lines.push(l) });
  log.debug('d');
  log.info('i');
  log.warn('w');
  log.child({ component: 'x' }).error('e');
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { level: string }).level), ['warn', 'error']);
  assert.equal((JSON.parse(lines[1]!) as { component: string }).component, 'x');
});

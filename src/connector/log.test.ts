import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLogger, redact } from './log.js';

test('no token reaches a log line: strings, errors, nested values and base fields are redacted', () => {
  const lines: string[] = [];
  const log = jsonLogger({ level: 'debug', write: (l) => lines.push(l), now: () => new Date(0) }).child({ url: 'wss://hub/?token=base-secret' });
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

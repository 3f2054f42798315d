/**
 * The notifications file (`--notify FILE`), JSON:
 *
 *     { "sinks": [
 *         { "name": "ops-slack", "type": "slack", "url": "https://hooks.slack.com/services/…",
 *           "instances": ["prod"], "events": ["sync", "release", "autorelease"] },
 *         { "name": "teams", "type": "teams", "url": "https://…webhook.office.com/…" },
 *         { "name": "audit", "type": "webhook", "url": "https://audit.example/flux",
 *           "secret": "…", "template": "{{title}}\n{{text}}" } ],
 *       "retry": { "initialMs": 1000, "maxMs": 300000, "maxAgeMs": 86400000 },
 *       "queueCapacity": 1000, "redeliverAfterMs": 30000 }
 *
 * `instances` / `events` filter (absent: all); `errorsOnly: true` keeps only events at level error
 * and sync events that carry errors. `template` replaces the default message text (see
 * template.ts for the fields). `secret` (or `secretFile`) signs webhook bodies. URLs and secrets
 * are never logged or shown. `redeliverAfterMs` matters in cluster mode only: how long an event
 * taken by a replica that went silent (died) waits before another replica delivers it.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { compileTemplate, type Template } from './template.js';
import { MAX_TIMER_MS } from '../runtime/time.js';

export const SINK_TYPES = ['slack', 'teams', 'webhook'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

export interface SinkConfig {
  name: string;
  type: SinkType;
  url: string;
  instances: readonly string[] | undefined;
  events: readonly string[] | undefined;
  errorsOnly: boolean;
  template: Template | undefined;
  secret: string | undefined;
}

export interface RetryConfig {
  initialMs: number;
  maxMs: number;
  /** A message not delivered within this time is given up (counted and shown). */
  maxAgeMs: number;
}

export interface NotifyConfig {
  sinks: SinkConfig[];
  retry: RetryConfig;
  /** Messages waiting per sink; beyond it the oldest is dropped (counted and shown). */
  queueCapacity: number;
  /** Cluster mode: the notifications consumer's ack wait (nats-source.ts). */
  redeliverAfterMs: number;
}

export const DEFAULT_RETRY: RetryConfig = { initialMs: 1000, maxMs: 300_000, maxAgeMs: 24 * 3600 * 1000 };

export class NotifyConfigError extends Error {
  override name = 'NotifyConfigError';
  readonly code = 'FLUXRPC_ERR_NOTIFY_CONFIG';
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function positive(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > MAX_TIMER_MS) throw new NotifyConfigError(`${name} must be a positive integer (ms or count) of at most ${MAX_TIMER_MS}`);
  return v;
}

export function parseNotifyConfig(text: string, source = 'notify', baseDir = '.'): NotifyConfig {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new NotifyConfigError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.sinks)) throw new NotifyConfigError(`${source}: expected {"sinks": [ … ]}`);
  const names = new Set<string>();
  const sinks = (doc.sinks as unknown[]).map((raw, i): SinkConfig => {
    const at = `${source}: sinks[${i}]`;
    const s = raw as Record<string, unknown>;
    if (s === null || typeof s !== 'object') throw new NotifyConfigError(`${at}: expected an object`);
    const known = ['name', 'type', 'url', 'instances', 'events', 'errorsOnly', 'template', 'secret', 'secretFile'];
    const unknown = Object.keys(s).find((k) => !known.includes(k));
    if (unknown) throw new NotifyConfigError(`${at}: unknown key ${JSON.stringify(unknown)} (keys: ${known.join(', ')})`);
    if (typeof s.name !== 'string' || !/^[\w.-]{1,64}$/.test(s.name)) throw new NotifyConfigError(`${at}: "name" must be 1–64 letters, digits, _ . -`);
    if (names.has(s.name)) throw new NotifyConfigError(`${at}: sink ${s.name} appears twice`);
    names.add(s.name);
    if (!(SINK_TYPES as readonly unknown[]).includes(s.type)) throw new NotifyConfigError(`${at} (${s.name}): "type" must be one of ${SINK_TYPES.join(', ')}`);
    let url: URL;
    try {
      url = new URL(String(s.url));
    } catch {
      throw new NotifyConfigError(`${at} (${s.name}): "url" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new NotifyConfigError(`${at} (${s.name}): "url" must be http(s)`);
    for (const k of ['instances', 'events'] as const) if (s[k] !== undefined && !isStrings(s[k])) throw new NotifyConfigError(`${at} (${s.name}): "${k}" must be a list of strings`);
    if (s.errorsOnly !== undefined && typeof s.errorsOnly !== 'boolean') throw new NotifyConfigError(`${at} (${s.name}): "errorsOnly" must be true or false`);
    let template: Template | undefined;
    if (s.template !== undefined) {
      if (typeof s.template !== 'string') throw new NotifyConfigError(`${at} (${s.name}): "template" must be a string`);
      try {
        template = compileTemplate(s.template);
      } catch (e) {
        throw new NotifyConfigError(`${at} (${s.name}): "template": ${(e as Error).message}`);
      }
    }
    let secret: string | undefined;
    if (s.secret !== undefined && s.secretFile !== undefined) throw new NotifyConfigError(`${at} (${s.name}): give "secret" or "secretFile", not both`);
    if (s.secretFile !== undefined) {
      try {
        secret = readFileSync(resolve(baseDir, String(s.secretFile)), 'utf8').trim();
      } catch (e) {
        throw new NotifyConfigError(`${at} (${s.name}): cannot read "secretFile": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    } else if (s.secret !== undefined) secret = String(s.secret);
    if (secret !== undefined && secret.length < 16) throw new NotifyConfigError(`${at} (${s.name}): the secret must be at least 16 characters`);
    if (s.type === 'webhook' && secret === undefined) throw new NotifyConfigError(`${at} (${s.name}): a webhook sink needs "secret" or "secretFile" (its bodies are signed)`);
    return { name: s.name, type: s.type as SinkType, url: url.href, instances: s.instances as string[] | undefined, events: s.events as string[] | undefined, errorsOnly: s.errorsOnly === true, template, secret };
  });
  const r = (doc.retry ?? {}) as Record<string, unknown>;
  const retry = { initialMs: positive(r.initialMs, 'retry.initialMs', DEFAULT_RETRY.initialMs), maxMs: positive(r.maxMs, 'retry.maxMs', DEFAULT_RETRY.maxMs), maxAgeMs: positive(r.maxAgeMs, 'retry.maxAgeMs', DEFAULT_RETRY.maxAgeMs) };
  const known = ['sinks', 'retry', 'queueCapacity', 'redeliverAfterMs'];
  const unknown = Object.keys(doc).find((k) => !known.includes(k));
  if (unknown) throw new NotifyConfigError(`${source}: unknown key ${JSON.stringify(unknown)} (keys: ${known.join(', ')})`);
  const redeliverAfterMs = positive(doc.redeliverAfterMs, 'redeliverAfterMs', 30_000);
  if (redeliverAfterMs < 1000) throw new NotifyConfigError(`${source}: redeliverAfterMs must be at least 1000`);
  return { sinks, retry, queueCapacity: positive(doc.queueCapacity, 'queueCapacity', 1000), redeliverAfterMs };
}

export function loadNotifyConfig(path: string): NotifyConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new NotifyConfigError(`cannot read notifications file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseNotifyConfig(text, path, dirname(path));
}

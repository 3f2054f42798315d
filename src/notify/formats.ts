/**
 * Each sink's request for a message: body and headers.
 *
 * - Slack incoming webhook: `{"text": …}` in Slack's mrkdwn (`&`, `<`, `>` escaped, links as
 *   `<url|text>`).
 * - Microsoft Teams incoming webhook: a MessageCard (`summary`, `title`, `text` in Teams'
 *   markdown, `themeColor` red for failures); `<>&` are escaped and markdown punctuation backslashed.
 * - Generic webhook: JSON `{id, instance, type, level, title, user, workloads, images, commits,
 *   errors, message, text, event}` in that order (`message` is the event's own message, `text` the
 *   default body or the sink's template, `event` the Flux event as fluxd posts it), signed:
 *     `X-Fluxrpc-Delivery: <id>` (the same on every retry: receivers drop repeats),
 *     `X-Fluxrpc-Timestamp: <unix seconds>`,
 *     `X-Fluxrpc-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 *   A receiver recomputes the HMAC over the timestamp, a dot and the raw body bytes, compares in
 *   constant time, and refuses timestamps older than a few minutes (replays).
 */
import { createHmac } from 'node:crypto';
import { encodeEvent, type FluxEvent } from '../flux/model/index.js';
import type { SinkConfig } from './config.js';
import { isError, type MessageModel } from './message.js';
import type { TemplateField } from './template.js';

export interface OutgoingRequest {
  body: string;
  headers: Record<string, string>;
}

export const SIGNATURE_HEADER = 'X-Fluxrpc-Signature';
export const TIMESTAMP_HEADER = 'X-Fluxrpc-Timestamp';
export const DELIVERY_HEADER = 'X-Fluxrpc-Delivery';

export const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const teamsEscape = (s: string) => slackEscape(s).replace(/([\\`*_[\]()#|~])/g, '\\$1');
const plain = (s: string) => s;

type Style = { escape: (s: string) => string; link: (url: string | undefined, text: string) => string; bold: (s: string) => string };

const STYLES: Record<SinkConfig['type'], Style> = {
  slack: { escape: slackEscape, link: (u, t) => (u ? `<${u}|${slackEscape(t)}>` : slackEscape(t)), bold: (s) => `*${s}*` },
  teams: { escape: teamsEscape, link: (u, t) => (u ? `[${teamsEscape(t)}](${u})` : teamsEscape(t)), bold: (s) => `**${s}**` },
  webhook: { escape: plain, link: (u, t) => (u ? `${t} ${u}` : t), bold: plain },
};

/** The default body, in the sink's markup. */
function defaultText(m: MessageModel, st: Style): string {
  const lines: string[] = [];
  if (m.message) lines.push(st.escape(m.message));
  if (m.workloads.length) lines.push(`${st.bold('Workloads')}: ${st.escape(m.workloads.join(', '))}`);
  if (m.images.length) lines.push(`${st.bold('Images')}: ${st.escape(m.images.join(', '))}`);
  if (m.commits.length) lines.push(`${st.bold('Commits')}:`, ...m.commits.map((c) => `• ${st.link(c.url, c.short)}${c.message ? ` ${st.escape(c.message)}` : ''}`));
  if (m.errors.length) lines.push(`${st.bold('Errors')}:`, ...m.errors.map((e) => `• ${st.escape(e)}`));
  return lines.join('\n');
}

function fields(m: MessageModel, st: Style): Record<TemplateField, string> {
  return {
    instance: m.instance,
    type: m.type,
    level: m.level,
    title: m.title,
    message: m.message,
    user: m.user,
    workloads: m.workloads.join(', '),
    images: m.images.join(', '),
    commits: m.commits.map((c) => `${c.short}${c.url ? ` ${c.url}` : ''}${c.message ? ` ${c.message}` : ''}`).join('\n'),
    errors: m.errors.join('\n'),
    text: defaultText(m, st),
  };
}

export function sign(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The request for `sink` (`now`: unix seconds, for the webhook's timestamp). */
export function formatRequest(sink: SinkConfig, key: string, m: MessageModel, event: FluxEvent, now: number): OutgoingRequest {
  const st = STYLES[sink.type];
  const f = fields(m, st);
  const text = sink.template ? sink.template.render(f, st.escape) : f.text;
  const json = { 'Content-Type': 'application/json' };
  switch (sink.type) {
    case 'slack':
      return { body: JSON.stringify({ text: `${st.bold(st.escape(m.title))}\n${text}` }), headers: json };
    case 'teams':
      return {
        body: JSON.stringify({ '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: m.title, themeColor: isError(m) ? 'D13438' : '2EB67D', title: teamsEscape(m.title), text: text.replace(/\n/g, '\n\n') }),
        headers: json,
      };
    case 'webhook': {
      let raw: string;
      try {
        raw = encodeEvent(event);
      } catch {
        raw = 'null';
      }
      const { message, ...rest } = m;
      const body = `{"id":${JSON.stringify(key)},${JSON.stringify({ ...rest, message, text }).slice(1, -1)},"event":${raw}}`;
      const ts = String(now);
      return { body, headers: { ...json, [DELIVERY_HEADER]: key, [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: sign(sink.secret!, ts, body) } };
    }
  }
}

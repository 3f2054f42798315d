/**
 * Message templates: text with `{{field}}` placeholders, checked when the config is read (an
 * unknown field is an error). Fields: `instance`, `type`, `level`, `title`, `message` (the event's
 * own), `user`, `workloads`, `images`, `commits` (one per line: short revision, link, message),
 * `errors` (one per line), `text` (the default body). Each value is escaped for the sink it goes
 * to (Slack and Teams markup) by the caller's `escape`.
 */
export const TEMPLATE_FIELDS = ['instance', 'type', 'level', 'title', 'message', 'user', 'workloads', 'images', 'commits', 'errors', 'text'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

export interface Template {
  readonly source: string;
  render(values: Record<TemplateField, string>, escape: (s: string) => string): string;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

export function compileTemplate(source: string): Template {
  if (source.length > 8192) throw new Error('longer than 8192 characters');
  for (const m of source.matchAll(PLACEHOLDER)) if (!(TEMPLATE_FIELDS as readonly string[]).includes(m[1]!)) throw new Error(`unknown field {{${m[1]}}} (fields: ${TEMPLATE_FIELDS.join(', ')})`);
  return {
    source,
    render: (values, escape) => source.replace(PLACEHOLDER, (_, name: TemplateField) => (name === 'text' ? values.text : escape(values[name]))),
  };
}

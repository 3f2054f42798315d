/**
 * Raw HTTP for the cluster tests: a request's whole answer (status, the headers a client reads,
 * body bytes), so that a local and a forwarded answer can be compared byte for byte; and a bounded
 * wait for a condition (the tests' only way to wait for the cluster to settle).
 */
import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Headers that carry meaning for a client (not Date, not connection management). */
const KEPT = ['content-type', 'content-length', 'location', 'www-authenticate', 'cache-control', 'transfer-encoding'];

export function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: Object.fromEntries(KEPT.map((k) => [k, res.headers[k] as string | undefined])), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`no answer to ${method} ${path} within 60 s`)));
    req.end(body);
  });
}

/** Polls `condition` every 20 ms until it holds; fails after `limitMs` saying what did not happen. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`${what}: did not happen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

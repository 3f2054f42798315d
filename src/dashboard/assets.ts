/**
 * Static assets shipped in the package (no CDN, nothing fetched at run time): the browser modules
 * compiled from `web/*.ts` into `dist/web/`, the one stylesheet `web/dashboard.css` and the icon
 * `web/favicon.svg`. Read once
 * and kept in memory; served with a content hash as ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECURITY_HEADERS } from './http.js';

/** The package root, from dist/src/dashboard/assets.js. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

export function loadAssets(root = ROOT): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const add = (name: string, path: string) => {
    const body = readFileSync(path);
    assets.set(name, { body, type: TYPES[name.slice(name.lastIndexOf('.'))]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
  };
  add('dashboard.css', join(root, 'web', 'dashboard.css'));
  add('favicon.svg', join(root, 'web', 'favicon.svg'));
  for (const name of readdirSync(join(root, 'dist', 'web'))) if (name.endsWith('.js')) add(name, join(root, 'dist', 'web', name));
  return assets;
}

export function serveAsset(assets: Map<string, Asset>, name: string, req: IncomingMessage, res: ServerResponse): boolean {
  const a = assets.get(name);
  if (!a) return false;
  const headers = { ...SECURITY_HEADERS, 'Content-Type': a.type, ETag: a.etag, 'Cache-Control': 'no-cache' };
  if (req.headers['if-none-match'] === a.etag) res.writeHead(304, headers).end();
  else res.writeHead(200, { ...headers, 'Content-Length': String(a.body.length) }).end(req.method === 'HEAD' ? undefined : a.body);
  return true;
}

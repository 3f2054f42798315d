/**
 * Daemon and API authentication: `Authorization: Scope-Probe token=<token>` (what fluxd and
 * fluxctl send) names an instance. Tokens are compared in constant time — both sides are hashed
 * to SHA-256 and every configured token is compared, so neither the position of a match nor a
 * length difference shows in the timing — and they are never logged or shown.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const AUTH_HEADER = /^scope-probe\s+token=(.+)$/i;

export class TokenFileError extends Error {
  override name = 'TokenFileError';
  readonly code = 'FLUXRPC_ERR_TOKENS';
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export class TokenAuth {
  private readonly entries: { digest: Buffer; instance: string }[];

  /** `tokens`: token → instance ID. */
  constructor(tokens: ReadonlyMap<string, string>) {
    this.entries = [];
    for (const [token, instance] of tokens) {
      if (token === '') throw new TokenFileError(`an empty token (for instance ${JSON.stringify(instance)}): tokens must not be empty`);
      // The Authorization header is trimmed, so such a token could never match.
      if (token.trim() !== token) throw new TokenFileError(`the token for instance ${JSON.stringify(instance)} starts or ends with whitespace, so it could never match: remove it`);
      if (!INSTANCE_NAME.test(instance)) throw new TokenFileError(`bad instance name ${JSON.stringify(instance)}: use letters, digits, '_', '.', '-' (at most 63)`);
      this.entries.push({ digest: digest(token), instance });
    }
  }

  /** Instance IDs that have a token, sorted, each once. */
  get instances(): string[] {
    return [...new Set(this.entries.map((e) => e.instance))].sort();
  }

  /** The instance for an `Authorization` header value, or undefined for a missing/unknown token. */
  authenticate(header: string | undefined): string | undefined {
    const m = header === undefined ? null : AUTH_HEADER.exec(header.trim());
    const presented = digest(m ? m[1]! : '');
    let found: string | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.digest, presented) && m) found ??= e.instance;
    return found;
  }
}

/** A fresh random token (192 bits, URL-safe). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Reads a token file: a JSON object `{"<token>": "<instance>", …}`. */
export function loadTokenFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenFileError(`cannot read token file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseTokens(text, path);
}

export function parseTokens(text: string, source = 'tokens'): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TokenFileError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TokenFileError(`${source}: expected a JSON object mapping each token to an instance name`);
  const out = new Map<string, string>();
  for (const [token, instance] of Object.entries(value)) {
    if (typeof instance !== 'string') throw new TokenFileError(`${source}: the instance for a token must be a string`);
    out.set(token, instance);
  }
  if (out.size === 0) throw new TokenFileError(`${source}: no tokens`);
  try {
    new TokenAuth(out); // validates
  } catch (e) {
    if (e instanceof TokenFileError) throw new TokenFileError(`${source}: ${e.message}`);
    throw e;
  }
  return out;
}

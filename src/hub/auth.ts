/**
 * Daemon and API authentication: `Authorization: Scope-Probe token=<token>` (what fluxd and
 * fluxctl send) names an instance. Tokens are never logged or shown.
 *
 * Lookup does not grow with the number of tokens and leaks nothing through its timing: the
 * presented token is hashed with HMAC-SHA256 under a key made at random when the process starts,
 * the digest (hex) is looked up in a Map, and the digest found (or a dummy one, when none is) is
 * compared with the presented one in constant time (`constantTimeEqual`): one hash, one Map
 * lookup, one compare, for 1 token or 100,000. The Map's own (non-constant-time) key comparison
 * sees only keyed digests, which an attacker without the key cannot relate to any token.
 *
 * The HMAC is computed from its definition, H((K ^ opad) || H((K ^ ipad) || token)), with two
 * one-shot hashes over buffers that already hold the padded key (node's `crypto.hash`, where it
 * exists: about 1 µs against 3 µs for `createHmac`, which a hub pays on every request); the
 * result is the same digest `createHmac('sha256', K)` gives, which is what older Node versions
 * (and tokens too long for the buffer) use. Only the hex digest is kept per token.
 *
 * The token set can be replaced while the hub runs (`Hub.setTokens`, the tokens file watcher
 * below): a new `TokenAuth` is built and checked first, then swapped in whole.
 */
import * as crypto from 'node:crypto';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { instanceNameProblem } from './instance-name.js';

const AUTH_HEADER = /^scope-probe\s+token=(.+)$/i;

export class TokenFileError extends Error {
  override name = 'TokenFileError';
  readonly code = 'FLUXRPC_ERR_TOKENS';
}

/** The key of this process's token digests: random, never stored or shown. */
const DIGEST_KEY = randomBytes(32);

/** SHA-256's block: the key is padded to it. */
const BLOCK = 64;
/** The longest token (in UTF-8 bytes) hashed through the prepared buffers; longer ones use createHmac. */
const MAX_FAST_TOKEN_BYTES = 448;
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'latin1' | 'hex') => string }).hash;

/** HMAC-SHA256 under one key (at most one block long), hex, for short texts without createHmac. */
export class KeyedDigest {
  /** (K ^ ipad) then room for the text; (K ^ opad) then room for the inner digest. */
  private readonly inner = Buffer.alloc(BLOCK + MAX_FAST_TOKEN_BYTES);
  private readonly outer = Buffer.alloc(BLOCK + 32);

  constructor(private readonly key: Buffer) {
    if (key.length > BLOCK) throw new RangeError(`a key of at most ${BLOCK} bytes, got ${key.length}`);
    for (let i = 0; i < BLOCK; i++) {
      const k = i < key.length ? key[i]! : 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /** HMAC-SHA256(key, text as UTF-8), hex. */
  hex(text: string): string {
    // At most 3 UTF-8 bytes per UTF-16 unit.
    if (oneShotHash === undefined || text.length > MAX_FAST_TOKEN_BYTES / 3) return createHmac('sha256', this.key).update(text, 'utf8').digest('hex');
    const n = this.inner.write(text, BLOCK, 'utf8');
    // The inner digest's 32 bytes as a latin1 string (one character per byte), written back as bytes.
    this.outer.write(oneShotHash('sha256', this.inner.subarray(0, BLOCK + n), 'latin1'), BLOCK, 'latin1');
    this.inner.fill(0, BLOCK, BLOCK + n);
    return oneShotHash('sha256', this.outer, 'hex');
  }
}

const digests = new KeyedDigest(DIGEST_KEY);
const keyedDigest = (token: string) => digests.hex(token);

/** Equal strings of equal length, compared without stopping at the first difference. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Compared with when no token matches, so that a miss costs what a hit costs. */
const NO_MATCH = keyedDigest(randomBytes(24).toString('base64url'));

/** Who a request or a registration authenticated as. */
export interface Credential {
  instance: string;
  /** An opaque name for the token (its keyed digest, hex): the same token gives the same id within a process. Never log it. */
  id: string;
}

export interface TokenAuthOptions {
  /** The constant-time comparison of two hex digests (a seam for tests; default `constantTimeEqual`). */
  compare?: (a: string, b: string) => boolean;
}

export class TokenAuth {
  /** Keyed digest (hex) → instance. */
  private readonly byDigest = new Map<string, string>();
  private readonly compare: (a: string, b: string) => boolean;

  /** `tokens`: token → instance ID. Throws `TokenFileError` for an empty token, a token with whitespace at either end, or a bad instance name. */
  constructor(tokens: ReadonlyMap<string, string>, options: TokenAuthOptions = {}) {
    this.compare = options.compare ?? constantTimeEqual;
    for (const [token, instance] of tokens) {
      if (token === '') throw new TokenFileError(`an empty token (for instance ${JSON.stringify(instance)}): tokens must not be empty`);
      // The Authorization header is trimmed, so such a token could never match.
      if (token.trim() !== token) throw new TokenFileError(`the token for instance ${JSON.stringify(instance)} starts or ends with whitespace, so it could never match: remove it`);
      const problem = instanceNameProblem(instance);
      if (problem) throw new TokenFileError(`bad instance name ${JSON.stringify(instance)}: ${problem}`);
      this.byDigest.set(keyedDigest(token), instance);
    }
  }

  /** How many tokens. */
  get size(): number {
    return this.byDigest.size;
  }

  /** Instance IDs that have a token, sorted, each once. */
  get instances(): string[] {
    return [...new Set(this.byDigest.values())].sort();
  }

  /** The instance for an `Authorization` header value, or undefined for a missing/unknown token. */
  authenticate(header: string | undefined): string | undefined {
    return this.credential(header)?.instance;
  }

  /** The credential for an `Authorization` header value, or undefined for a missing/unknown token. */
  credential(header: string | undefined): Credential | undefined {
    const m = header === undefined ? null : AUTH_HEADER.exec(header.trim());
    const id = keyedDigest(m ? m[1]! : '');
    const instance = this.byDigest.get(id);
    // The digest found (the Map's key, equal to `id`) or, for a miss, the dummy: one compare either way.
    const same = this.compare(instance === undefined ? NO_MATCH : id, id);
    return same && m !== null && instance !== undefined ? { instance, id } : undefined;
  }

  /** The instance the token with credential id `id` names now, if it is still configured. */
  instanceOf(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.byDigest.get(id);
  }
}

/**
 * A fresh random token (192 bits, URL-safe), never starting with `-`: a command line would read
 * `--token -…` as a flag (ours asks for `--token=…`), and the hub prints its generated token in
 * ready-made commands.
 */
export function generateToken(): string {
  for (;;) {
    const token = randomBytes(24).toString('base64url');
    if (token[0] !== '-') return token;
  }
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

/** How long the tokens file must be quiet before it is read again (editors write in several steps). */
export const DEFAULT_TOKEN_RELOAD_DEBOUNCE_MS = 250;

export interface TokenFileWatchOptions {
  /** New tokens, read and checked. */
  onTokens: (tokens: Map<string, string>) => void;
  /** The file changed but could not be used (unreadable, invalid): the old tokens stay. */
  onError: (error: TokenFileError) => void;
  debounceMs?: number;
}

/**
 * Watches a tokens file and reports each new, valid version. The directory is watched, not the
 * file, so that replacing the file (an editor's rename, a Kubernetes secret's symlink swap) is
 * seen too; a change is read once the file has been quiet for `debounceMs`, and only a content
 * that differs from the last one reported (or the one at the start) is parsed. Returns a
 * function that stops watching. The watcher does not keep the process alive.
 */
export function watchTokenFile(path: string, options: TokenFileWatchOptions): () => void {
  const debounceMs = options.debounceMs ?? DEFAULT_TOKEN_RELOAD_DEBOUNCE_MS;
  let last: string | undefined;
  try {
    last = readFileSync(path, 'utf8');
  } catch {
    last = undefined;
  }
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const reload = async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (stopped) return;
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      if (last !== undefined) options.onError(new TokenFileError(`cannot read token file ${path}: ${why}; keeping the tokens loaded before`));
      last = undefined;
      return;
    }
    if (stopped || text === last) return;
    last = text;
    let tokens: Map<string, string>;
    try {
      tokens = parseTokens(text, path);
    } catch (e) {
      options.onError(e instanceof TokenFileError ? new TokenFileError(`${e.message}; keeping the tokens loaded before`) : new TokenFileError(String(e)));
      return;
    }
    options.onTokens(tokens);
  };
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
    timer.unref();
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      // Some platforms give no name; a Kubernetes secret swaps a `..data` symlink, not the file.
      if (name === null || name === basename(path) || name.startsWith('..')) changed();
    });
  } catch (e) {
    throw new TokenFileError(`cannot watch token file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  watcher.on('error', (e) => options.onError(new TokenFileError(`watching token file ${path} failed: ${e.message}; reloads stop`)));
  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher.close();
  };
}

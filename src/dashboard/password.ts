/**
 * Password hashes: scrypt (node's built-in, no dependency), written in the PHC string form
 * `$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>` (ln = log2 N). `fluxrpc hash-password` makes
 * them; the users file holds them. Verification compares in constant time, and an account that does
 * not exist is verified against a dummy hash, so the answer's timing does not tell whether a name
 * exists.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const DEFAULT = { ln: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Bounds on parameters read from a file: enough for any sensible hash, not enough to hang the hub. */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export class PasswordHashError extends Error {
  override name = 'PasswordHashError';
}

interface Parsed {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function scrypt(password: string, salt: Buffer, keylen: number, { ln, r, p }: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCallback(password.normalize('NFC'), salt, keylen, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** Parses and checks a stored hash; throws a `PasswordHashError` saying what is wrong. */
export function parsePasswordHash(text: string): Parsed {
  const m = PHC.exec(text);
  if (!m) throw new PasswordHashError('not a password hash made by "fluxrpc hash-password" (expected $scrypt$ln=…,r=…,p=…$salt$hash)');
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > MAX_LN || r < 1 || r > MAX_R || p < 1 || p > MAX_P) throw new PasswordHashError(`scrypt parameters out of range (ln 10…${MAX_LN}, r 1…${MAX_R}, p 1…${MAX_P})`);
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) throw new PasswordHashError('salt or hash too short');
  return { ln, r, p, salt, hash };
}

/** A new hash of `password` (random salt). `ln` lower than 15 only for tests. */
export async function hashPassword(password: string, ln = DEFAULT.ln): Promise<string> {
  if (password === '') throw new PasswordHashError('the password is empty');
  const salt = randomBytes(SALT_BYTES);
  const params = { ...DEFAULT, ln };
  const hash = await scrypt(password, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** A hash nobody's password matches, verified for unknown accounts so they cost the same time. */
let dummy: Promise<Parsed> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(24).toString('base64')).then(parsePasswordHash));

/** Whether `password` matches `stored` (undefined: no such account; the work is done all the same). */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = stored === undefined ? await dummyHash() : parsePasswordHash(stored);
  const key = await scrypt(password, parsed.salt, parsed.hash.length, parsed);
  return timingSafeEqual(key, parsed.hash) && stored !== undefined;
}

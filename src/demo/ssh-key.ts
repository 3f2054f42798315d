/**
 * The demo daemon's deploy key, as fluxd reports it in `GitRepoConfig`: an OpenSSH public key line
 * (what `ssh-keygen -y` prints, newline included) and its md5 and sha256 fingerprints, each with the
 * "randomart" picture (what fluxd parses out of `ssh-keygen -l -v -E <hash>`: the hash without its
 * `MD5:`/`SHA256:` prefix, and the picture with its final newline). `fluxctl identity` prints the
 * key, `-l` the md5 hash and `-v` the md5 picture too.
 *
 * Keys are generated with node:crypto (ed25519); fingerprints and pictures are computed here from
 * the key's wire blob, for ed25519 and RSA keys (the tests compare them with ssh-keygen's).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';

export interface SshFingerprintText {
  /** The hash as fluxd reports it: md5 as colon-separated hex pairs, sha256 as unpadded base64. */
  hash: string;
  /** OpenSSH's "randomart" picture of the digest, 11 lines, each ending in a newline. */
  randomart: string;
}

export interface SshPublicKeyText {
  /** `<type> <base64 blob> <comment>\n`, the form of `ssh-keygen -y` and of `*.pub` files. */
  key: string;
  md5: SshFingerprintText;
  sha256: SshFingerprintText;
}

/** A bad or unsupported public key line. */
export class SshKeyError extends Error {
  override name = 'SshKeyError';
  readonly code = 'FLUXRPC_ERR_SSH_KEY';
}

/** The SSH wire form of a string (RFC 4251 §5): a 32-bit big-endian length, then the bytes. */
function sshString(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Reads the SSH strings of a key blob, refusing anything truncated. */
function readSshStrings(blob: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > blob.length) throw new SshKeyError('truncated SSH public key blob');
    const length = blob.readUInt32BE(at);
    at += 4;
    if (at + length > blob.length) throw new SshKeyError('truncated SSH public key blob');
    out.push(blob.subarray(at, at + length));
    at += length;
  }
  if (at !== blob.length) throw new SshKeyError('trailing bytes after the SSH public key');
  return out;
}

/** The key type: the blob's first SSH string. */
function blobType(blob: Buffer): string {
  if (blob.length < 4) throw new SshKeyError('truncated SSH public key blob');
  const length = blob.readUInt32BE(0);
  if (length > 64 || 4 + length > blob.length) throw new SshKeyError('truncated SSH public key blob');
  return blob.toString('latin1', 4, 4 + length);
}

/** The bit length of an SSH mpint (a big-endian positive integer, maybe with a leading zero byte). */
function mpintBits(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** OpenSSH's name and size of the key in `blob` (the randomart title: `[ED25519 256]`, `[RSA 3072]`). */
function keyTypeAndBits(blob: Buffer): { name: string; bits: number } {
  const type = blobType(blob);
  switch (type) {
    case 'ssh-ed25519': {
      const [, key] = readSshStrings(blob, 2);
      if (key!.length !== 32) throw new SshKeyError('an ed25519 public key has 32 bytes');
      return { name: 'ED25519', bits: 256 };
    }
    case 'ssh-rsa': {
      const [, , n] = readSshStrings(blob, 3);
      return { name: 'RSA', bits: mpintBits(n!) };
    }
    default:
      throw new SshKeyError(`unsupported SSH key type ${JSON.stringify(type)}`);
  }
}

const FIELD_X = 17;
const FIELD_Y = 9;
/** The characters for how often the walk visited a cell; the last two mark start (S) and end (E). */
const SYMBOLS = ' .o+=*BOX@%&#/^SE';

/**
 * OpenSSH's "drunken bishop" picture of a digest: starting in the middle of a 17×9 field, each
 * byte's four bit pairs (low first) move diagonally (bit 0: right/left, bit 1: down/up), stopping
 * at the walls; cells count visits (capped), start and end are marked, and the frame carries the
 * key's `[TYPE BITS]` on top and `[HASH]` below, centred. No newline after the last line (as
 * OpenSSH's `sshkey_fingerprint_randomart`).
 */
export function randomart(digest: Uint8Array, keyName: string, bits: number, hashName: string): string {
  const field: number[][] = Array.from({ length: FIELD_X }, () => new Array<number>(FIELD_Y).fill(0));
  const top = SYMBOLS.length - 1;
  let x = FIELD_X >> 1;
  let y = FIELD_Y >> 1;
  for (const byte of digest) {
    let input = byte;
    for (let step = 0; step < 4; step++) {
      x = Math.min(Math.max(x + (input & 1 ? 1 : -1), 0), FIELD_X - 1);
      y = Math.min(Math.max(y + (input & 2 ? 1 : -1), 0), FIELD_Y - 1);
      if (field[x]![y]! < top - 2) field[x]![y]!++;
      input >>= 2;
    }
  }
  field[FIELD_X >> 1]![FIELD_Y >> 1] = top - 1;
  field[x]![y] = top;

  // OpenSSH prints the title into a 17-byte buffer: without the size when it would not fit, and
  // cut to 16 characters in any case.
  let title = `[${keyName} ${bits}]`;
  if (title.length > FIELD_X) title = `[${keyName}]`;
  title = title.slice(0, FIELD_X - 1);
  const border = (label: string) => {
    const left = (FIELD_X - label.length) >> 1;
    return '+' + '-'.repeat(left) + label + '-'.repeat(FIELD_X - left - label.length) + '+';
  };
  const lines = [border(title)];
  for (let row = 0; row < FIELD_Y; row++) {
    let line = '|';
    for (let col = 0; col < FIELD_X; col++) line += SYMBOLS[Math.min(field[col]![row]!, top)];
    lines.push(line + '|');
  }
  lines.push(border(`[${hashName}]`));
  return lines.join('\n');
}

/** The key line, fingerprints and pictures of a public key in OpenSSH form (`type base64 [comment]`). */
export function describePublicKey(line: string): SshPublicKeyText {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) throw new SshKeyError('an OpenSSH public key is "<type> <base64> [comment]"');
  const blob = Buffer.from(parts[1]!, 'base64');
  if (blob.toString('base64') !== parts[1]) throw new SshKeyError('the key is not valid base64');
  const type = blobType(blob);
  if (type !== parts[0]) throw new SshKeyError(`the key's blob is of type ${JSON.stringify(type)}, not ${JSON.stringify(parts[0])}`);
  const { name, bits } = keyTypeAndBits(blob);
  const md5 = createHash('md5').update(blob).digest();
  const sha256 = createHash('sha256').update(blob).digest();
  return {
    key: parts.join(' ') + '\n',
    md5: { hash: [...md5].map((b) => b.toString(16).padStart(2, '0')).join(':'), randomart: randomart(md5, name, bits, 'MD5') + '\n' },
    sha256: { hash: sha256.toString('base64').replace(/=+$/, ''), randomart: randomart(sha256, name, bits, 'SHA256') + '\n' },
  };
}

/** A new ed25519 key pair's public half, with `comment`, as `describePublicKey` gives it. */
export function generateDeployKey(comment: string): SshPublicKeyText {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  return describePublicKey(`ssh-ed25519 ${blob.toString('base64')} ${comment}`);
}

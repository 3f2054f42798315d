/**
 * `v6.GitConfig` (the `GitRepoConfig` result) with `v6.GitRemoteConfig` (git.Remote's `url`
 * flattened in), `ssh.PublicKey` and `git.GitRepoStatus`. Note the plural key `errors`.
 */
import { goMap as encMap, goObject, goQuote } from './go-encode.js';
import { field, goMap, goString, goStruct, unmarshal, type Mutable, type ValueDecoder } from './go-decode.js';

/** `git.GitRepoStatus` values. */
export const GitRepoStatus = {
  NoConfig: 'unconfigured',
  New: 'new',
  Cloned: 'cloned',
  Ready: 'ready',
  Unreachable: 'unreachable',
} as const;

export interface GitRemoteConfig {
  readonly url: string;
  readonly branch: string;
  /** The daemon's git paths joined with `,`. */
  readonly path: string;
}

export interface SshFingerprint {
  readonly hash: string;
  readonly randomart: string;
}

export interface PublicSshKey {
  readonly key: string;
  /** Hash name (`md5`, `sha256`) → fingerprint; `null` when nil. */
  readonly fingerprints: ReadonlyMap<string, SshFingerprint> | null;
}

export interface GitConfig {
  readonly remote: GitRemoteConfig;
  readonly publicSSHKey: PublicSshKey;
  readonly status: string;
  readonly error: string;
}

export const ZERO_GIT_CONFIG: GitConfig = Object.freeze({
  remote: Object.freeze({ url: '', branch: '', path: '' }),
  publicSSHKey: Object.freeze({ key: '', fingerprints: null }),
  status: '',
  error: '',
});

const ZERO_FINGERPRINT: SshFingerprint = Object.freeze({ hash: '', randomart: '' });

export function encodeGitConfig(c: GitConfig): string {
  return goObject([
    [
      'remote',
      goObject([
        ['url', goQuote(c.remote.url)],
        ['branch', goQuote(c.remote.branch)],
        ['path', goQuote(c.remote.path)],
      ]),
    ],
    [
      'publicSSHKey',
      goObject([
        ['key', goQuote(c.publicSSHKey.key)],
        [
          'fingerprints',
          encMap(c.publicSSHKey.fingerprints, (f) =>
            goObject([
              ['hash', goQuote(f.hash)],
              ['randomart', goQuote(f.randomart)],
            ]),
          ),
        ],
      ]),
    ],
    ['status', goQuote(c.status)],
    ['errors', goQuote(c.error)],
  ]);
}

// Go 1.19 reports a type error in the flattened `url` as `GitRemoteConfig.remote.url` (newer Go
// adds the embedded struct's name to the path).
const remoteValue = goStruct<Mutable<GitRemoteConfig>>('v6.GitRemoteConfig', 'GitRemoteConfig', [
  field('url', 'url', goString()),
  field('branch', 'branch', goString()),
  field('path', 'path', goString()),
]);

const fingerprintValue = goStruct<Mutable<SshFingerprint>>('ssh.Fingerprint', 'Fingerprint', [
  field('hash', 'hash', goString()),
  field('randomart', 'randomart', goString()),
]);

const publicKeyValue = goStruct<Mutable<PublicSshKey>>('ssh.PublicKey', 'PublicKey', [
  field('key', 'key', goString()),
  field('fingerprints', 'fingerprints', goMap(fingerprintValue, () => ZERO_FINGERPRINT, 'map[string]ssh.Fingerprint')),
]);

export const gitConfigValue: ValueDecoder<GitConfig> = goStruct<Mutable<GitConfig>>('v6.GitConfig', 'GitConfig', [
  field('remote', 'remote', remoteValue),
  field('publicSSHKey', 'publicSSHKey', publicKeyValue),
  field('status', 'status', goString('git.GitRepoStatus')),
  field('errors', 'error', goString()),
]);

export function decodeGitConfig(json: unknown): GitConfig {
  return unmarshal(json, gitConfigValue, ZERO_GIT_CONFIG);
}

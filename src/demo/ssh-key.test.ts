import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePublicKey, generateDeployKey, randomart, SshKeyError } from './ssh-key.js';

/**
 * What fluxd reports for these keys: `ssh-keygen -y` for the key, and for each hash the third field
 * and the rest of `ssh-keygen -l -v -E <hash>` (fluxd's `ExtractFingerprint`), from OpenSSH 9.2p1.
 */
const SSH_KEYGEN_VECTORS = [
  {"key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7A6pz8l+R4VXzULQ/SJI4oQNq2E/3O9jculY+fkm7L flux-demo\n", "md5": {"hash": "79:09:bd:40:ee:bc:07:7d:d2:ac:b6:5f:43:68:50:61", "randomart": "+--[ED25519 256]--+\n|        .   E.   |\n|       o . o     |\n|        + o      |\n|       o = * .   |\n|        S * * .  |\n|         + = .   |\n|        . +   o  |\n|         o . . . |\n|          ...    |\n+------[MD5]------+\n"}, "sha256": {"hash": "Q+ryNfhOtEYABb5bTOzlQkVtd7AxftoIIn8IVERY60U", "randomart": "+--[ED25519 256]--+\n|    oooBB.E +.   |\n|   . +.. oo..+.  |\n|    . B =.o.o..  |\n|     * @ + . =   |\n|    . * S . o .  |\n|     + = +       |\n|    o o *        |\n|     o = .       |\n|      ..o        |\n+----[SHA256]-----+\n"}},
  {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC1KDMWLmWYKU9Zqxe2Z42LBcEC2rPvJ63s21zDK5DYjmaW3jYYcaicIHBCziwpaJ3Ug1P8cJR9QrATpCxm/cV+5SKdaQLLkq4gF9QnKiDANKS6ghs99U7E5tiL6X0i3aQpQj7Oa7ZzvG6uWahTFoFm7DNQ6FXbjkGzG61C8jLcRoB2ovOA6geZrYwnz0BoL1IGirfFH203LNz7SKJ6/vN2R8PyuatE0OjKIUREQLmfEJ7yMbxlRzdjuaEuSBISyb08elkt/5vjsCAssH/PCOPqnkQARr6c1uIkj7a+FBvUv+idFbbB0Xe7eZmyQDficTx3iubkmsDmEzpXJozAmGe4QHiWhvcTsi9gZEIPqo+HRWs9RtUn0eR10OpWl+U4hUo22x0N4C/EMh0HLcHiUcHLWdg35yx7rFrMAqH6AFln4n9WvBrnNOxXeroeyMV9z8UpnesDRDSwaHvnK24yy5LrwerTIAWLk/55RHOffjwHpopeh4C22WsWozLRoqn+dHk= root@flux-7f9c\n", "md5": {"hash": "7a:2e:2b:d9:23:6e:e5:3b:5c:b1:cb:e4:21:a4:03:be", "randomart": "+---[RSA 3072]----+\n|                 |\n|                 |\n|                 |\n|  .   . .        |\n| . . o  So       |\n|  . o o.=        |\n|   . B.*.o       |\n|  E = Bo+        |\n|   o.oo*.        |\n+------[MD5]------+\n"}, "sha256": {"hash": "NANQDG8fjQApA0GFWqplF7MRmFo0ul6A7wjqPLx5DuE", "randomart": "+---[RSA 3072]----+\n|+==+=O+          |\n|.oB.=..o o       |\n|+* o =o * .      |\n|+o+ o. o +       |\n|++.o    S        |\n|*oo              |\n|+E.              |\n|ooo.             |\n| ==.             |\n+----[SHA256]-----+\n"}},
  {"key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDChPRuXjajl+kJXsdKgAKeqft0MN94o41O7UTfeCzPRbZAkzB4H3I8NSKWxDN6qL+RO5BkdkYPp+RLbbCvX+GuknrXqKy7/aPHrbTBgskTyed/MdfzrgvgTZ5YHSscAB/Wr6jGq/g+IH1SbVtn8Kgve2sTtzchi4T6G+PylXb7XdoQRnYGoXMxT/F6lgWXtUpwR/UPuTO59yzp7BoBPEB+azHJIclnkBBu/zx9LvFZmXYQavSxLIvKML5DfTjWY6M6z9tw/9rnJaTuS491JOBgtIesvOMyb1/MHDolDNW2gFtDH4/hqTGqi5Z6OXeXjl6ElSn4A2Ko44NlXR0Rz4Af\n", "md5": {"hash": "bc:80:b1:63:10:6f:32:3c:e6:2c:a0:81:3b:9b:ea:62", "randomart": "+---[RSA 2048]----+\n|  .              |\n|.. o             |\n|+ B +            |\n|o* * + .         |\n|= o = . S        |\n| = . . . .       |\n|o       .        |\n|oE               |\n|=.               |\n+------[MD5]------+\n"}, "sha256": {"hash": "QXoREWvPuu9LCMNSmJjg9GaY6kWO7XSDKJBVAR0bVS8", "randomart": "+---[RSA 2048]----+\n|..o+=+..B+       |\n|o++o.= o +       |\n|o+o=+ o E .      |\n|o O .o o =       |\n|oo *.o+ S o      |\n|o + ...o o       |\n| . .    o .      |\n|         o       |\n|        .o+.     |\n+----[SHA256]-----+\n"}},
];

test('fingerprints and pictures equal ssh-keygen\'s for ed25519 and RSA keys', () => {
  for (const v of SSH_KEYGEN_VECTORS) assert.deepEqual(describePublicKey(v.key), v, v.key.slice(0, 40));
});

test('a generated deploy key is an OpenSSH ed25519 public key line with a newline', () => {
  const a = generateDeployKey('flux-demo');
  assert.match(a.key, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} flux-demo\n$/);
  assert.match(a.md5.hash, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
  assert.match(a.sha256.hash, /^[A-Za-z0-9+/]{43}$/);
  assert.match(a.md5.randomart, /^\+--\[ED25519 256\]--\+\n(\|.{17}\|\n){9}\+------\[MD5\]------\+\n$/);
  assert.match(a.sha256.randomart, /\n\+----\[SHA256\]-----\+\n$/);
  assert.notEqual(generateDeployKey('flux-demo').key, a.key);
});

test('the picture marks start and end and stays inside the frame', () => {
  // 0x00: four steps up-left per byte: diagonally to the top wall, along it to the corner, then
  // stuck there; each cell passed once shows '.', the corner is the end.
  const art = randomart(new Uint8Array(16), 'ED25519', 256, 'MD5').split('\n');
  assert.deepEqual(art.slice(1, 6), ['|E....            |', '|     .           |', '|      .          |', '|       .         |', '|        S        |']);
  assert.equal(art.length, 11);
  // A title that does not fit the frame loses its size.
  assert.equal(randomart(new Uint8Array(1), 'ECDSA-SK-CERT', 256, 'MD5').split('\n')[0], '+-[ECDSA-SK-CERT]-+');
});

test('bad key lines are refused with a clear error', () => {
  assert.throws(() => describePublicKey('ssh-ed25519'), SshKeyError);
  assert.throws(() => describePublicKey('ssh-ed25519 AAAA'), /truncated/);
  assert.throws(() => describePublicKey('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIB7A6pz8l+R4VXzULQ/SJI4oQNq2E/3O9jculY+fkm7L'), /not "ssh-rsa"/);
  assert.throws(() => describePublicKey('ssh-dss AAAAB3NzaC1kc3M='), /unsupported SSH key type/);
});

test('generated keys match the local ssh-keygen, when there is one', (t) => {
  if (spawnSync('ssh-keygen', ['-?']).error) return t.skip('ssh-keygen is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-ssh-'));
  try {
    for (let i = 0; i < 5; i++) {
      const k = generateDeployKey(`demo-${i}`);
      const file = join(dir, `k${i}.pub`);
      writeFileSync(file, k.key);
      for (const [name, want] of [['md5', k.md5], ['sha256', k.sha256]] as const) {
        const out = spawnSync('ssh-keygen', ['-l', '-v', '-E', name, '-f', file], { encoding: 'utf8' });
        assert.equal(out.status, 0, out.stderr);
        const nl = out.stdout.indexOf('\n');
        const fields = /^([0-9]+) ([^:]+):([^ ]+) (.*?) \(([^)]+)\)$/.exec(out.stdout.slice(0, nl));
        assert.ok(fields, out.stdout);
        assert.deepEqual({ hash: fields[3], randomart: out.stdout.slice(nl + 1) }, want);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

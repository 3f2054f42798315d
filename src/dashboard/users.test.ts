import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from './password.js';
import { allowed, mayView, parseUsers, UserStore, UsersFileError } from './users.js';

const HASH = await hashPassword('pw', 10);
const file = (users: unknown[]) => JSON.stringify({ users });

test('roles grant view < deploy < admin; instances limit what a user sees; admins see all', () => {
  const users = parseUsers(
    file([
      { name: 'ann', password: HASH, role: 'admin' },
      { name: 'dan', password: HASH, role: 'deployer', instances: ['prod'] },
      { name: 'vic', role: 'viewer', instances: '*' },
      { name: 'uma', role: 'viewer', instances: ['a.b', 'a b', 'ünï 😀', '<script>x</script>', '"quoted"', 'a/b', '..', '%2F'] },
    ]),
  );
  assert.ok(mayView(users.get('uma')!, 'ünï 😀') && mayView(users.get('uma')!, '..') && !mayView(users.get('uma')!, 'prod'), 'instance names as the tokens file takes them');
  const [ann, dan, vic] = ['ann', 'dan', 'vic'].map((n) => users.get(n)!);
  assert.equal(vic!.passwordHash, undefined, 'proxy-only user');
  assert.ok(allowed(ann!, 'admin', 'anything') && allowed(ann!, 'deploy', 'prod'));
  assert.ok(allowed(dan!, 'deploy', 'prod') && !allowed(dan!, 'deploy', 'dev') && !allowed(dan!, 'admin'));
  assert.ok(allowed(vic!, 'view', 'dev') && !allowed(vic!, 'deploy', 'dev'));
  assert.ok(mayView(dan!, 'prod') && !mayView(dan!, 'dev'));
});

test('a broken users file is refused with a reason naming the entry', () => {
  const cases: [string, RegExp][] = [
    ['nope', /not valid JSON/],
    ['[]', /expected \{"users"/],
    [file([{ name: 'a b', role: 'viewer', instances: [] }]), /users\[0\]: "name"/],
    [file([{ name: 'a', role: 'root', instances: [] }]), /"role" must be one of viewer, deployer, admin/],
    [file([{ name: 'a', role: 'viewer' }]), /"instances" is required for a viewer/],
    [file([{ name: 'a', role: 'viewer', instances: ['ok', 'x\ny'] }]), /\(a\): bad instance name "x\\ny": it holds a control character \(U\+000A\)/],
    [file([{ name: 'a', role: 'viewer', instances: [''] }]), /bad instance name "": it is empty/],
    [file([{ name: 'a', role: 'viewer', instances: [1] }]), /bad instance name 1: not a string/],
    [file([{ name: 'a', role: 'admin', password: 'hunter2' }]), /\(a\): "password": not a password hash/],
    [file([{ name: 'a', role: 'admin' }, { name: 'a', role: 'admin' }]), /users\[1\]: user a appears twice/],
    [file([{ name: 'a', role: 'admin', pasword: HASH }]), /unknown key "pasword"/],
  ];
  for (const [text, re] of cases) assert.throws(() => parseUsers(text, 'u.json'), (e: unknown) => e instanceof UsersFileError && re.test(e.message), text);
});

test('the fingerprint changes with the password, role or instances', async () => {
  const fp = (u: object) => parseUsers(file([{ name: 'a', ...u }])).get('a')!.fingerprint;
  const base = { password: HASH, role: 'deployer', instances: ['x'] };
  assert.equal(fp(base), fp(base));
  assert.notEqual(fp(base), fp({ ...base, password: await hashPassword('pw', 10) }));
  assert.notEqual(fp(base), fp({ ...base, role: 'viewer' }));
  assert.notEqual(fp(base), fp({ ...base, instances: ['y'] }));
});

test('the store reloads a changed file and keeps the old users when the new file is broken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fluxrpc-users-'));
  try {
    const path = join(dir, 'users.json');
    writeFileSync(path, file([{ name: 'a', role: 'admin' }]));
    const store = UserStore.fromFile(path, { pollMs: 60_000 });
    try {
      assert.ok(store.get('a'));
      writeFileSync(path, file([{ name: 'b', role: 'admin' }]));
      assert.equal(store.reload(), true);
      assert.equal(store.get('a'), undefined);
      assert.ok(store.get('b'));
      writeFileSync(path, '{broken');
      assert.equal(store.reload(), false);
      assert.ok(store.get('b'), 'previous users stay');
    } finally {
      store.close();
    }
    assert.throws(() => UserStore.fromFile(join(dir, 'missing.json')), /cannot read users file .*ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `communewatch user …` as an installer runs it: the first admin, passwords from stdin or generated, disabling. */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, CLI } from '../helpers/agent-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { openSqliteStore } from '../../server/store/sqlite-store.js';
import { authenticate } from '../../server/auth/users.js';

describe('user commands', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  afterAll(() => dir.remove());
  const cli = (args: string[], stdin?: string) => runCli([...args, '--data', data], {}, CLI, stdin);
  const withStore = async <T>(fn: (s: ReturnType<typeof openSqliteStore>) => Promise<T> | T): Promise<T> => {
    const store = openSqliteStore({ file: join(data, 'communewatch.db') });
    try {
      return await fn(store);
    } finally {
      store.close();
    }
  };

  it('creates the first admin with a password read from stdin, stored as a scrypt hash', async () => {
    const made = await cli(
      ['user', 'create', '--username', 'Tran.IT', '--role', 'admin', '--name', 'Trần Văn IT'],
      'a good long password\n',
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain('Created admin user "tran.it"');
    await withStore(async (store) => {
      const hash = store.db.prepare('SELECT password_hash FROM users').pluck().get() as string;
      expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
      expect(hash).not.toContain('password');
      expect((await authenticate(store.users, 'tran.it', 'a good long password', Date.now()))?.displayName).toBe(
        'Trần Văn IT',
      );
    });
  });

  it('refuses weak passwords, bad names, duplicates and vendors without services', async () => {
    expect((await cli(['user', 'create', '--username', 'x2', '--role', 'viewer'], 'short\n')).stderr).toContain(
      'at least 10 characters',
    );
    expect(
      (await cli(['user', 'create', '--username', 'leader', '--role', 'viewer'], 'leader-password-1\n')).stderr,
    ).toContain('must not contain the user name');
    expect(
      (await cli(['user', 'create', '--username', 'bad name', '--role', 'viewer'], 'whatever long 1\n')).stderr,
    ).toContain('--username');
    expect(
      (await cli(['user', 'create', '--username', 'tran.it', '--role', 'viewer'], 'whatever long 1\n')).stderr,
    ).toContain('already exists');
    expect(
      (await cli(['user', 'create', '--username', 'vnpt', '--role', 'vendor'], 'whatever long 1\n')).stderr,
    ).toContain('a vendor needs --services');
    expect((await cli(['user', 'create', '--username', 'nopw', '--role', 'viewer'], '')).code).toBe(1);
  });

  it('generates a password when asked, and lists users', async () => {
    const made = await cli([
      'user',
      'create',
      '--username',
      'vnpt',
      '--role',
      'vendor',
      '--services',
      'civil-status',
      '--generate-password',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const password = made.stdout.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await withStore(async (store) =>
      expect((await authenticate(store.users, 'vnpt', password, Date.now()))?.services).toEqual(['civil-status']),
    );
    const list = await cli(['user', 'list']);
    expect(list.stdout).toMatch(/vnpt\s+vnpt\s+vendor\s+civil-status/);
  });

  it('will not disable the last admin; disabling ends sessions and login', async () => {
    const last = await cli(['user', 'disable', '--username', 'tran.it']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last active admin');
    expect((await cli(['user', 'disable', '--username', 'vnpt'])).code).toBe(0);
    await withStore(async (store) => expect(store.users.byName('vnpt')!.disabledAt).not.toBeNull());
    expect((await cli(['user', 'enable', '--username', 'vnpt'])).code).toBe(0);
    const passwd = await cli(['user', 'passwd', '--username', 'vnpt'], 'another long password\n');
    expect(passwd.code, passwd.stderr).toBe(0);
    await withStore(async (store) =>
      expect(await authenticate(store.users, 'vnpt', 'another long password', Date.now())).toBeDefined(),
    );
  });
});

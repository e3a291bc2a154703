/**
 * `communewatch user create|list|disable|enable|passwd`: web UI logins. The first admin is created here
 * (there is no default password). Passwords are read without echo from a terminal, or as the first line
 * of standard input (scripts, `--password-stdin`), never from a flag that would land in shell history.
 */
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { checkRole, parseServiceList } from '../server/auth/role-input.js';
import { hashPassword, passwordProblem } from '../server/auth/passwords.js';
import { USERNAME_PATTERN } from '../server/auth/users.js';
import { iso, printTable, withStore, type StoreFlags } from './store-access.js';

async function readLine(prompt: string, hidden: boolean): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  if (hidden && process.stdin.isTTY) {
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(prompt)) process.stderr.write(prompt);
    };
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.question(prompt, resolve);
      rl.once('close', () => reject(new Error('no password given (standard input ended)')));
    });
  } finally {
    if (hidden && process.stdin.isTTY) process.stderr.write('\n');
    rl.close();
  }
}

/** The new password: generated and printed, typed twice on a terminal, or the first line of stdin. */
async function newPassword(username: string, generate: boolean): Promise<string> {
  if (generate) {
    const password = randomBytes(12).toString('base64url');
    process.stdout.write(`${password}\n`);
    return password;
  }
  const password = await readLine('Password: ', true);
  if (process.stdin.isTTY && (await readLine('Again: ', true)) !== password)
    throw new Error('the two passwords differ');
  const problem = passwordProblem(password, username);
  if (problem) throw new Error(problem);
  return password;
}

function checkUsername(username: string): string {
  const name = username.trim().toLowerCase();
  if (!new RegExp(USERNAME_PATTERN).test(name))
    throw new Error('--username: 2-64 lower-case letters, digits, dot, dash or underscore');
  return name;
}

export async function runUserCreate(
  flags: { username: string; role: string; services?: string; name?: string; generatePassword?: boolean } & StoreFlags,
): Promise<void> {
  const username = checkUsername(flags.username);
  const { role, services } = checkRole(flags.role, parseServiceList(flags.services), {
    role: '--role',
    services: '--services',
  });
  await withStore(flags, async (store) => {
    if (store.users.byName(username))
      throw new Error(
        `a user "${username}" already exists (change the password with: communewatch user passwd --username ${username})`,
      );
    const passwordHash = await hashPassword(await newPassword(username, flags.generatePassword === true));
    const user = store.users.create({
      username,
      displayName: flags.name?.trim() || username,
      role,
      services,
      passwordHash,
      now: Date.now(),
    });
    process.stderr.write(
      `Created ${user.role} user "${user.username}" (id ${user.id}). Log in at http://<server>:8080/login\n`,
    );
  });
}

export async function runUserList(flags: StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    printTable(
      ['id', 'username', 'name', 'role', 'services', 'last login', 'state'],
      store.users
        .list()
        .map((u) => [
          String(u.id),
          u.username,
          u.displayName,
          u.role,
          u.services?.join(',') ?? '-',
          iso(u.lastLoginAt),
          u.disabledAt === null ? 'active' : `disabled ${iso(u.disabledAt)}`,
        ]),
    );
  });
}

export async function runUserSetDisabled(flags: { username: string; disabled: boolean } & StoreFlags): Promise<void> {
  withStore(flags, (store) => {
    const user = store.users.byName(checkUsername(flags.username));
    if (!user) throw new Error(`no user "${flags.username}" (see: communewatch user list)`);
    if (flags.disabled && user.role === 'admin' && user.disabledAt === null && store.users.countAdmins() <= 1)
      throw new Error('this is the last active admin; create another admin first');
    store.users.setDisabled(user.id, flags.disabled, Date.now());
    process.stdout.write(`${flags.disabled ? 'Disabled (and logged out)' : 'Enabled'} user "${user.username}".\n`);
  });
}

export async function runUserPasswd(
  flags: { username: string; generatePassword?: boolean } & StoreFlags,
): Promise<void> {
  await withStore(flags, async (store) => {
    const user = store.users.byName(checkUsername(flags.username));
    if (!user) throw new Error(`no user "${flags.username}" (see: communewatch user list)`);
    store.users.setPassword(
      user.id,
      await hashPassword(await newPassword(user.username, flags.generatePassword === true)),
    );
    process.stderr.write(`Password of "${user.username}" changed; their sessions were ended.\n`);
  });
}

/**
 * People who log in to the web UI: a user name, a scrypt password hash and one of the API-key roles
 * (admin, viewer, vendor scoped to service classes). Stored in SQLite; nothing here keeps a password.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Role } from './api-tokens.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Vendor: the service classes it may see; undefined = all. */
  services?: string[];
  createdAt: number;
  disabledAt: number | null;
  lastLoginAt: number | null;
}

export interface UserStore {
  create(input: {
    username: string;
    displayName?: string;
    role: Role;
    services?: string[];
    passwordHash: string;
    now: number;
  }): User;
  get(id: number): User | undefined;
  byName(username: string): User | undefined;
  list(): User[];
  setPassword(id: number, passwordHash: string): boolean;
  /** Disabling also ends the user's sessions (sessions.ts deletes on the user's disabled flag). */
  setDisabled(id: number, disabled: boolean, now: number): boolean;
  countAdmins(): number;
  /** The stored hash, for the login check only. */
  passwordHash(id: number): string | undefined;
  markLogin(id: number, now: number): void;
}

interface Row {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  services: string | null;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
  last_login_at: number | null;
}

const toUser = (r: Row): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  ...(r.services !== null && { services: JSON.parse(r.services) as string[] }),
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
  lastLoginAt: r.last_login_at,
});

export const USERNAME_PATTERN = '^[a-z0-9][a-z0-9._-]{1,63}$';

export function createUserStore(db: BetterSqlite3.Database): UserStore {
  const insert = db.prepare(`INSERT INTO users (username, display_name, role, services, password_hash, created_at)
    VALUES (?, ?, ?, ?, ?, ?) RETURNING *`);
  const byId = db.prepare('SELECT * FROM users WHERE id = ?');
  const byName = db.prepare('SELECT * FROM users WHERE username = ?');
  const list = db.prepare('SELECT * FROM users ORDER BY username');
  const setHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
  const disable = db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?');
  const endSessions = db.prepare('DELETE FROM web_sessions WHERE user_id = ?');
  const admins = db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL");
  const login = db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?');
  return {
    create: ({ username, displayName, role, services, passwordHash, now }) =>
      toUser(
        insert.get(
          username,
          displayName ?? username,
          role,
          services ? JSON.stringify(services) : null,
          passwordHash,
          now,
        ) as Row,
      ),
    get: (id) => {
      const row = byId.get(id) as Row | undefined;
      return row && toUser(row);
    },
    byName: (username) => {
      const row = byName.get(username) as Row | undefined;
      return row && toUser(row);
    },
    list: () => (list.all() as Row[]).map(toUser),
    setPassword: (id, hash) => {
      const changed = setHash.run(hash, id).changes > 0;
      // A new password ends every open session: the usual reason to change it is a leaked one.
      endSessions.run(id);
      return changed;
    },
    setDisabled: (id, disabled, now) => {
      const changed = disable.run(disabled ? now : null, id).changes > 0;
      if (disabled) endSessions.run(id);
      return changed;
    },
    countAdmins: () => (admins.get() as { n: number }).n,
    passwordHash: (id) => (byId.get(id) as Row | undefined)?.password_hash,
    markLogin: (id, now) => void login.run(now, id),
  };
}

/**
 * The user for a name and password, or undefined. Takes the same time for an unknown or disabled user
 * as for a wrong password, so the login form does not reveal which names exist.
 */
export async function authenticate(
  users: UserStore,
  username: string,
  password: string,
  now: number,
): Promise<User | undefined> {
  const user = users.byName(username);
  const stored = user && user.disabledAt === null ? users.passwordHash(user.id) : undefined;
  const check = await verifyPassword(password, stored ?? (await decoyHash()));
  if (!user || !stored || !check.ok) return undefined;
  if (check.outdated) users.setPassword(user.id, await hashPassword(password));
  users.markLogin(user.id, now);
  return user;
}

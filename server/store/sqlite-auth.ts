/**
 * The auth seam (auth-store.ts) on SQLite: API keys (migration 005), web users and sessions (009). Tokens are
 * issued and checked with server/auth/tokens.ts, so only lookup ids and SHA-256 hashes reach the database.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Role } from '../auth/roles.js';
import { newSessionToken, sessionTokenHash, slidingExpiry } from '../auth/sessions.js';
import { issueToken, parseToken, secretMatches } from '../auth/tokens.js';
import type { ApiTokenRow, ApiTokenStore, Session, SessionStore, User, UserStore } from './auth-store.js';

interface ApiTokenSqlRow {
  id: number;
  name: string;
  role: Role;
  services: string | null;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

const toApiToken = (r: ApiTokenSqlRow): ApiTokenRow => ({
  id: r.id,
  name: r.name,
  role: r.role,
  ...(r.services !== null && { services: JSON.parse(r.services) as string[] }),
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export function createApiTokenStore(db: BetterSqlite3.Database): ApiTokenStore {
  const insert = db.prepare(`INSERT INTO api_tokens (name, role, services, token_lookup, token_hash, created_at)
    VALUES (?, ?, ?, ?, ?, ?) RETURNING *`);
  const byLookup = db.prepare('SELECT * FROM api_tokens WHERE token_lookup = ? AND revoked_at IS NULL');
  // Last use to the minute is enough, and spares a write per request.
  const touch = db.prepare(
    'UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ? - 60000)',
  );
  const list = db.prepare('SELECT * FROM api_tokens ORDER BY id');
  const revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  return {
    create({ name, role, services, now }) {
      const issued = issueToken('cwk');
      const row = insert.get(
        name,
        role,
        services ? JSON.stringify(services) : null,
        issued.tokenLookup,
        issued.tokenHash,
        now,
      ) as ApiTokenSqlRow;
      return { token: issued.token, row: toApiToken(row) };
    },
    verify(token, now) {
      const parsed = parseToken('cwk', token);
      if (!parsed) return undefined;
      const row = byLookup.get(parsed.lookup) as ApiTokenSqlRow | undefined;
      if (!secretMatches(row?.token_hash, parsed.secret) || !row) return undefined;
      touch.run(now, row.id, now);
      const { createdAt: _c, revokedAt: _r, lastUsedAt: _l, ...principal } = toApiToken(row);
      return principal;
    },
    list: () => (list.all() as ApiTokenSqlRow[]).map(toApiToken),
    revoke: (id, now) => revoke.run(now, id).changes > 0,
  };
}

interface UserSqlRow {
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

const toUser = (r: UserSqlRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  ...(r.services !== null && { services: JSON.parse(r.services) as string[] }),
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
  lastLoginAt: r.last_login_at,
});

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
        ) as UserSqlRow,
      ),
    get: (id) => {
      const row = byId.get(id) as UserSqlRow | undefined;
      return row && toUser(row);
    },
    byName: (username) => {
      const row = byName.get(username) as UserSqlRow | undefined;
      return row && toUser(row);
    },
    list: () => (list.all() as UserSqlRow[]).map(toUser),
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
    passwordHash: (id) => (byId.get(id) as UserSqlRow | undefined)?.password_hash,
    markLogin: (id, now) => void login.run(now, id),
  };
}

interface SessionSqlRow {
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export function createSessionStore(db: BetterSqlite3.Database): SessionStore {
  const insert =
    db.prepare(`INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  // A disabled user's sessions are deleted when disabling; the join also refuses them if a row survived.
  const find = db.prepare(`SELECT s.* FROM web_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`);
  // Extending at most once a minute spares a write per page view.
  const extend = db.prepare(
    'UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ? AND last_seen_at < ? - 60000',
  );
  const remove = db.prepare('DELETE FROM web_sessions WHERE token_hash = ?');
  const sweep = db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?');
  return {
    create({ userId, now, policy, ip, userAgent }) {
      const token = newSessionToken();
      const session: Session = { userId, csrfToken: newSessionToken(), createdAt: now, expiresAt: now + policy.idleMs };
      insert.run(
        sessionTokenHash(token),
        userId,
        session.csrfToken,
        now,
        now,
        session.expiresAt,
        ip ?? null,
        userAgent?.slice(0, 300) ?? null,
      );
      return { token, session };
    },
    touch(token, now, policy) {
      const hash = sessionTokenHash(token);
      if (!hash) return undefined;
      const row = find.get(hash, now) as SessionSqlRow | undefined;
      if (!row) return undefined;
      const expiresAt = slidingExpiry(row.created_at, now, policy);
      if (expiresAt <= now) return undefined;
      extend.run(now, expiresAt, hash, now);
      return { userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt };
    },
    end: (token) => {
      const hash = sessionTokenHash(token);
      if (hash) remove.run(hash);
    },
    sweep: (now) => sweep.run(now).changes,
  };
}

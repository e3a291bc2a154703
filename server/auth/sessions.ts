/**
 * Web sessions: the cookie carries a random 256-bit token, the database only its SHA-256 (a stolen
 * database copy cannot log in). Sessions slide: each use within `idleMs` extends them, up to `absoluteMs`
 * after login. The CSRF token is bound to the session (synchronizer token pattern) and checked on every
 * write made with the cookie (api-auth.ts).
 */
import { randomBytes } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { hashSecret } from './agent-tokens.js';

export interface Session {
  userId: number;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login whatever its use. */
  absoluteMs: number;
}

export interface SessionStore {
  create(input: { userId: number; now: number; policy: SessionPolicy; ip?: string; userAgent?: string }): {
    token: string;
    session: Session;
  };
  /** The live session of a cookie token (extending it), or undefined. */
  touch(token: string, now: number, policy: SessionPolicy): Session | undefined;
  end(token: string): void;
  /** Deletes expired sessions; returns how many. */
  sweep(now: number): number;
}

interface Row {
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

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
      const token = randomBytes(32).toString('base64url');
      const session: Session = {
        userId,
        csrfToken: randomBytes(32).toString('base64url'),
        createdAt: now,
        expiresAt: now + policy.idleMs,
      };
      insert.run(
        hashSecret(token),
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
      if (!TOKEN_PATTERN.test(token)) return undefined;
      const hash = hashSecret(token);
      const row = find.get(hash, now) as Row | undefined;
      if (!row) return undefined;
      const expiresAt = Math.min(now + policy.idleMs, row.created_at + policy.absoluteMs);
      if (expiresAt <= now) return undefined;
      extend.run(now, expiresAt, hash, now);
      return { userId: row.user_id, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt };
    },
    end: (token) => {
      if (TOKEN_PATTERN.test(token)) remove.run(hashSecret(token));
    },
    sweep: (now) => sweep.run(now).changes,
  };
}

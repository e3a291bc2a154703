/**
 * Web session rules: the cookie carries a random 256-bit token, the database only its SHA-256 (a stolen
 * database copy cannot log in). Sessions slide: each use within `idleMs` extends them, up to `absoluteMs`
 * after login. The CSRF token is bound to the session (synchronizer token pattern) and checked on every
 * write made with the cookie (api-auth.ts). The rows themselves are kept by the store's SessionStore
 * (server/store/auth-store.ts); these helpers keep every implementation of it to the same rules.
 */
import { randomBytes } from 'node:crypto';
import { hashSecret } from './tokens.js';

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login whatever its use. */
  absoluteMs: number;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new random token (for the cookie, or the session's CSRF token): 256 bits, base64url. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a cookie token; undefined when it cannot be one (no lookup is worth making). */
export function sessionTokenHash(token: string): string | undefined {
  return TOKEN_PATTERN.test(token) ? hashSecret(token) : undefined;
}

/** When a session used at `now` ends: idle time from now, never past the absolute limit from login. */
export function slidingExpiry(createdAt: number, now: number, policy: SessionPolicy): number {
  return Math.min(now + policy.idleMs, createdAt + policy.absoluteMs);
}

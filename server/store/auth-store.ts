/**
 * Store seam for who may call the server: API keys (`cwk_…`), web users and their sessions. Interfaces and
 * records only; the SQLite implementation is sqlite-auth.ts. Token format and checks are shared through
 * server/auth/tokens.ts and the session rules through server/auth/sessions.ts, so a second implementation
 * keeps the same guarantees: only hashes of secrets are stored, and lookups compare in constant time.
 */
import type { ApiPrincipal, Role } from '../auth/roles.js';
import type { SessionPolicy } from '../auth/sessions.js';

/** An API key as listed to admins: never its secret. */
export interface ApiTokenRow extends ApiPrincipal {
  createdAt: number;
  revokedAt: number | null;
  /** Last use, to the minute (the store may skip writing more often). */
  lastUsedAt: number | null;
}

/**
 * API keys for people and systems that call the API (district and provincial IT scripts, dashboards, a
 * vendor's ticketing system). Stored like agent tokens: lookup id + SHA-256 of a 256-bit secret.
 */
export interface ApiTokenStore {
  /** Issues a new `cwk_` key; the returned token is shown once, only its lookup id and hash are kept. */
  create(input: { name: string; role: Role; services?: string[]; now: number }): { token: string; row: ApiTokenRow };
  /** The principal of a valid, unrevoked key (and marks it used); undefined otherwise, in constant time. */
  verify(token: string, now: number): ApiPrincipal | undefined;
  /** Every key, revoked ones included, oldest first. */
  list(): ApiTokenRow[];
  /** Revokes a key; false if no such key or already revoked. */
  revoke(id: number, now: number): boolean;
}

/** A web login, without its password hash. */
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

/** Web UI logins. The login check itself is server/auth/users.ts `authenticate`. */
export interface UserStore {
  /** Creates a user (displayName defaults to the username); throws when the username is taken (any case). */
  create(input: {
    username: string;
    displayName?: string;
    role: Role;
    services?: string[];
    passwordHash: string;
    now: number;
  }): User;
  /** The user with this id, disabled or not. */
  get(id: number): User | undefined;
  /** The user with this username, compared without case, disabled or not. */
  byName(username: string): User | undefined;
  /** Every user, by username. */
  list(): User[];
  /** Replaces the password hash and ends every session of the user; false if no such user. */
  setPassword(id: number, passwordHash: string): boolean;
  /** Disables (ending the user's sessions) or re-enables a user; false if no such user. */
  setDisabled(id: number, disabled: boolean, now: number): boolean;
  /** Admins that are not disabled, so callers can refuse to disable the last one. */
  countAdmins(): number;
  /** The stored hash, for the login check only. */
  passwordHash(id: number): string | undefined;
  /** Records a successful login. */
  markLogin(id: number, now: number): void;
}

export interface Session {
  userId: number;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

/** Web sessions: the cookie token is returned once, only its SHA-256 is kept. */
export interface SessionStore {
  /** Opens a session for a user, expiring `policy.idleMs` from now unless used; returns the cookie token. */
  create(input: { userId: number; now: number; policy: SessionPolicy; ip?: string; userAgent?: string }): {
    token: string;
    session: Session;
  };
  /**
   * The live session of a cookie token, extended per the policy (sliding, capped at `absoluteMs` after login),
   * or undefined when malformed, unknown, expired or its user is disabled.
   */
  touch(token: string, now: number, policy: SessionPolicy): Session | undefined;
  /** Ends the session of this cookie token (logout); a no-op for an unknown one. */
  end(token: string): void;
  /** Deletes expired sessions; returns how many. */
  sweep(now: number): number;
}

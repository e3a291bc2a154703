/**
 * The shape and checks of every bearer token the server issues: `<prefix>_<lookup>_<secret>`. The lookup id
 * finds the row without scanning; only a SHA-256 of the secret is stored (the secret is 256 random bits, so
 * a slow password hash adds nothing), and the comparison is constant-time. A leaf module (node:crypto only),
 * so every store implementation checks tokens the same way without importing domain code.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface IssuedToken {
  token: string;
  tokenLookup: string;
  tokenHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Token kinds: `cwa` agents, `cwk` API keys, `cwr` real-user monitoring app keys (server/rum). */
export type TokenPrefix = 'cwa' | 'cwk' | 'cwr';

/** A new token `<prefix>_<lookup>_<secret>`. */
export function issueToken(prefix: TokenPrefix = 'cwa'): IssuedToken {
  const tokenLookup = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${prefix}_${tokenLookup}_${secret}`, tokenLookup, tokenHash: hashSecret(secret) };
}

/** Splits a token of the given prefix into lookup id and secret; undefined when malformed. */
export function parseToken(prefix: TokenPrefix, token: string): { lookup: string; secret: string } | undefined {
  const m = /^(cw[akr])_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m && m[1] === prefix ? { lookup: m[2]!, secret: m[3]! } : undefined;
}

/**
 * Constant-time check of a presented secret against a stored hash. Compares even when nothing was stored
 * (unknown lookup id), so timing does not reveal which lookup ids exist.
 */
export function secretMatches(storedHash: string | undefined, secret: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash ?? '0'.repeat(64), 'hex');
  const equal = expected.length === presented.length && timingSafeEqual(expected, presented);
  return equal && storedHash !== undefined;
}

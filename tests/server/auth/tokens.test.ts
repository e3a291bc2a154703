/** The token rules every store implementation shares (auth/tokens.ts, auth/sessions.ts). */
import { describe, expect, it } from 'vitest';
import { newSessionToken, sessionTokenHash, slidingExpiry } from '../../../server/auth/sessions.js';
import { hashSecret, issueToken, parseToken, secretMatches } from '../../../server/auth/tokens.js';

describe('bearer tokens', () => {
  it('issue <prefix>_<lookup>_<secret> and keep only the secret hash', () => {
    const issued = issueToken('cwk');
    const parsed = parseToken('cwk', issued.token);
    expect(parsed?.lookup).toBe(issued.tokenLookup);
    expect(secretMatches(issued.tokenHash, parsed!.secret)).toBe(true);
    expect(issued.token).not.toContain(issued.tokenHash);
  });

  it('refuse another prefix, a malformed token, a wrong secret and an unknown lookup', () => {
    const issued = issueToken('cwr');
    expect(parseToken('cwk', issued.token)).toBeUndefined();
    expect(parseToken('cwr', `${issued.token}x`)).toBeUndefined();
    expect(secretMatches(hashSecret('other'), parseToken('cwr', issued.token)!.secret)).toBe(false);
    expect(secretMatches(undefined, parseToken('cwr', issued.token)!.secret)).toBe(false);
  });
});

describe('session tokens', () => {
  it('hash a well-formed cookie token and refuse anything else without a lookup', () => {
    const token = newSessionToken();
    expect(sessionTokenHash(token)).toBe(hashSecret(token));
    expect(sessionTokenHash('short')).toBeUndefined();
  });

  it('slide by the idle time, never past the absolute limit from login', () => {
    const policy = { idleMs: 1_000, absoluteMs: 5_000 };
    expect(slidingExpiry(0, 2_000, policy)).toBe(3_000);
    expect(slidingExpiry(0, 4_500, policy)).toBe(5_000);
  });
});

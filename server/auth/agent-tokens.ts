/**
 * Agent tokens: `cwa_<lookup>_<secret>`. The lookup id finds the agent row without scanning; only a
 * SHA-256 of the secret is stored (the secret is 256 random bits, so a slow password hash adds nothing),
 * and the comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AgentRecord, Store } from '../store/store.js';

const TOKEN_RE = /^cwa_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  token: string;
  tokenLookup: string;
  tokenHash: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function issueToken(): IssuedToken {
  const tokenLookup = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `cwa_${tokenLookup}_${secret}`, tokenLookup, tokenHash: hashSecret(secret) };
}

/** The agent this token belongs to, or undefined for a malformed, unknown or revoked token. */
export function verifyToken(store: Store, token: string): AgentRecord | undefined {
  const m = TOKEN_RE.exec(token);
  if (!m) return undefined;
  const agent = store.findAgentByTokenLookup(m[1]!);
  const presented = Buffer.from(hashSecret(m[2]!), 'hex');
  // Compare even when the lookup missed, so timing does not reveal which lookup ids exist.
  const expected = Buffer.from(agent?.tokenHash ?? '0'.repeat(64), 'hex');
  const match = expected.length === presented.length && timingSafeEqual(expected, presented);
  if (!agent || !match) return undefined;
  const { tokenHash: _secret, ...record } = agent;
  return record;
}

/** Registers a commune's agent; the returned token is shown once and never stored. */
export function createAgentToken(store: Store, input: { commune: string; name: string; now: number }): { agent: AgentRecord; token: string } {
  const issued = issueToken();
  const agent = store.createAgent({ ...input, tokenLookup: issued.tokenLookup, tokenHash: issued.tokenHash });
  return { agent, token: issued.token };
}

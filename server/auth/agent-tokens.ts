/**
 * Agent tokens: `cwa_<lookup>_<secret>` (format and constant-time check in tokens.ts). Issuing and verifying
 * live here, over the Store's agent rows: the store keeps only the lookup id and the secret's hash.
 */
import type { AgentRecord, Store } from '../store/store.js';
import { issueToken, parseToken, secretMatches } from './tokens.js';

/** The agent this token belongs to, or undefined for a malformed, unknown or revoked token. */
export function verifyToken(store: Store, token: string): AgentRecord | undefined {
  const parsed = parseToken('cwa', token);
  if (!parsed) return undefined;
  const agent = store.findAgentByTokenLookup(parsed.lookup);
  if (!secretMatches(agent?.tokenHash, parsed.secret) || !agent) return undefined;
  const { tokenHash: _secret, ...record } = agent;
  return record;
}

/** Registers a commune's agent; the returned token is shown once and never stored. */
export function createAgentToken(
  store: Store,
  input: { commune: string; name: string; now: number },
): { agent: AgentRecord; token: string } {
  const issued = issueToken();
  const agent = store.createAgent({ ...input, tokenLookup: issued.tokenLookup, tokenHash: issued.tokenHash });
  return { agent, token: issued.token };
}

/**
 * API keys for people and systems that call the server's API (`cwk_<lookup>_<secret>`): district and
 * provincial IT scripts (admin), dashboards (viewer), a vendor's ticketing system (vendor, limited to the
 * service classes it owns). Stored like agent tokens: lookup id + SHA-256 of a 256-bit secret, compared in
 * constant time. Web logins with passwords come with the web UI; they map onto the same roles.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { issueToken, parseToken, secretMatches } from './agent-tokens.js';

export const ROLES = ['admin', 'viewer', 'vendor'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiPrincipal {
  id: number;
  name: string;
  role: Role;
  /** Vendor keys: the service classes it may see; undefined = all. */
  services?: string[];
}

export interface ApiTokenRow extends ApiPrincipal {
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface ApiTokenStore {
  create(input: { name: string; role: Role; services?: string[]; now: number }): { token: string; row: ApiTokenRow };
  /** The principal of a valid, unrevoked key (and marks it used); undefined otherwise. */
  verify(token: string, now: number): ApiPrincipal | undefined;
  list(): ApiTokenRow[];
  revoke(id: number, now: number): boolean;
}

interface Row {
  id: number;
  name: string;
  role: Role;
  services: string | null;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

const toRow = (r: Row): ApiTokenRow => ({
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
      ) as Row;
      return { token: issued.token, row: toRow(row) };
    },
    verify(token, now) {
      const parsed = parseToken('cwk', token);
      if (!parsed) return undefined;
      const row = byLookup.get(parsed.lookup) as Row | undefined;
      if (!secretMatches(row?.token_hash, parsed.secret) || !row) return undefined;
      touch.run(now, row.id, now);
      const { createdAt: _c, revokedAt: _r, lastUsedAt: _l, ...principal } = toRow(row);
      return principal;
    },
    list: () => (list.all() as Row[]).map(toRow),
    revoke: (id, now) => revoke.run(now, id).changes > 0,
  };
}

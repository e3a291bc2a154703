/** Reads an agent's outbox file from the test process (read-only, concurrent with the agent: WAL). */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export function readOutbox(file: string): { pendingSeqs: number[]; lastSeq: number } {
  if (!existsSync(file)) return { pendingSeqs: [], lastSeq: 0 };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const pendingSeqs = (db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map(
      (r) => r.seq,
    );
    const row = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as
      | { seq: number }
      | undefined;
    return { pendingSeqs, lastSeq: row?.seq ?? 0 };
  } finally {
    db.close();
  }
}

/**
 * The dossier seam (dossier-store.ts) on SQLite (migration 008). An import stages its valid rows in chunks
 * (short transactions, so ingest is never blocked for long), then merges them in one transaction: upsert by
 * (source, code), an unchanged row not even rewritten, so importing the same file twice changes nothing.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { RowProblem } from '../dossiers/dossier-row.js';
import type { DossierImport, DossierStore, StoredDossier } from './dossier-store.js';

const MAX_PROBLEMS_KEPT = 1000;

export function createDossierStore(db: BetterSqlite3.Database): DossierStore {
  const stmt = {
    begin: db
      .prepare(
        "INSERT INTO dossier_imports (source, file_name, actor, started_at, status) VALUES (?, ?, ?, ?, 'staging') RETURNING id",
      )
      .pluck(),
    stage:
      db.prepare(`INSERT INTO dossier_staging (import_id, code, row, procedure_code, procedure_name, field, commune, channel,
        received_at, due_at, finished_at, first_handled_at, status)
      VALUES (@importId, @code, @row, @procedureCode, @procedureName, @field, @commune, @channel,
        @receivedAt, @dueAt, @finishedAt, @firstHandledAt, @status)
      ON CONFLICT DO NOTHING`),
    staged: db.prepare('SELECT count(*) FROM dossier_staging WHERE import_id = ?').pluck(),
    existing: db
      .prepare(
        `SELECT count(*) FROM dossier_staging s JOIN dossiers d ON d.source = ? AND d.code = s.code WHERE s.import_id = ?`,
      )
      .pluck(),
    merge:
      db.prepare(`INSERT INTO dossiers (source, code, procedure_code, procedure_name, field, commune, channel, received_at, due_at,
        finished_at, first_handled_at, status, import_id, updated_at)
      SELECT @source, code, procedure_code, procedure_name, field, commune, channel, received_at, due_at,
        finished_at, first_handled_at, status, @importId, @now
      FROM dossier_staging WHERE import_id = @importId
      ON CONFLICT (source, code) DO UPDATE SET
        procedure_code = excluded.procedure_code, procedure_name = excluded.procedure_name, field = excluded.field,
        commune = excluded.commune, channel = excluded.channel, received_at = excluded.received_at, due_at = excluded.due_at,
        finished_at = excluded.finished_at, first_handled_at = excluded.first_handled_at, status = excluded.status,
        import_id = excluded.import_id, updated_at = excluded.updated_at
      WHERE (procedure_code, procedure_name, field, commune, channel, received_at, due_at, finished_at, first_handled_at, status)
        IS NOT (excluded.procedure_code, excluded.procedure_name, excluded.field, excluded.commune, excluded.channel,
          excluded.received_at, excluded.due_at, excluded.finished_at, excluded.first_handled_at, excluded.status)`),
    clear: db.prepare('DELETE FROM dossier_staging WHERE import_id = ?'),
    finish:
      db.prepare(`UPDATE dossier_imports SET status = @status, finished_at = @now, rows = @rows, valid = @valid, invalid = @invalid,
      inserted = @inserted, updated = @updated, unchanged = @unchanged, problems = @problems WHERE id = @id`),
    get: db.prepare('SELECT * FROM dossier_imports WHERE id = ?'),
    count: db.prepare('SELECT count(*) FROM dossiers').pluck(),
    lastImport: db.prepare("SELECT coalesce(max(id), 0) FROM dossier_imports WHERE status = 'imported'").pluck(),
  };
  const problemsJson = (problems: RowProblem[]) => JSON.stringify(problems.slice(0, MAX_PROBLEMS_KEPT));

  return {
    begin: ({ source, fileName, actor, now }) => stmt.begin.get(source, fileName ?? null, actor, now) as number,
    stage: (importId, rows) =>
      db
        .transaction(() => {
          const repeated: Array<{ row: number; code: string }> = [];
          for (const { row, dossier: d } of rows) {
            const changes = stmt.stage.run({ importId, row, ...d }).changes;
            if (changes === 0) repeated.push({ row, code: d.code });
          }
          return repeated;
        })
        .immediate(),
    commit: (importId, summary, now) =>
      db
        .transaction(() => {
          const source = (stmt.get.get(importId) as { source: string }).source;
          const valid = stmt.staged.get(importId) as number;
          const existing = stmt.existing.get(source, importId) as number;
          const changes = stmt.merge.run({ source, importId, now }).changes;
          const inserted = valid - existing;
          const updated = changes - inserted;
          const counts = { inserted, updated, unchanged: existing - updated };
          stmt.clear.run(importId);
          stmt.finish.run({
            id: importId,
            status: 'imported',
            now,
            rows: summary.rows,
            valid,
            invalid: summary.invalid,
            ...counts,
            problems: problemsJson(summary.problems),
          });
          return counts;
        })
        .immediate(),
    refuse: (importId, status, summary, now) =>
      db
        .transaction(() => {
          stmt.clear.run(importId);
          stmt.finish.run({
            id: importId,
            status,
            now,
            rows: summary.rows,
            valid: summary.rows - summary.invalid,
            invalid: summary.invalid,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            problems: problemsJson(summary.problems),
          });
        })
        .immediate(),
    getImport(id) {
      const r = stmt.get.get(id) as Record<string, unknown> | undefined;
      if (!r) return undefined;
      return {
        id: r.id as number,
        source: r.source as string,
        fileName: r.file_name as string | null,
        actor: r.actor as string,
        startedAt: r.started_at as number,
        finishedAt: r.finished_at as number | null,
        status: r.status as DossierImport['status'],
        rows: r.rows as number,
        valid: r.valid as number,
        invalid: r.invalid as number,
        inserted: r.inserted as number,
        updated: r.updated as number,
        unchanged: r.unchanged as number,
        problems: JSON.parse(r.problems as string) as RowProblem[],
      };
    },
    count: () => stmt.count.get() as number,
    lastImportId: () => stmt.lastImport.get() as number,
    list(q) {
      const { sql, params } = listSql(q);
      return db
        .prepare(`${sql} ${q.limit ? 'LIMIT ?' : ''}`)
        .all(...params, ...(q.limit ? [q.limit] : [])) as StoredDossier[];
    },
    earliestReceived(q) {
      const { where, params } = listSql(q);
      const v = db
        .prepare(`SELECT min(received_at) FROM dossiers ${where}`)
        .pluck()
        .get(...params) as number | null;
      return v ?? undefined;
    },
    *iterate(q) {
      // Raw rows turned into objects here: better-sqlite3 builds each row object property by property in
      // C++, twice as slow as one object literal of a fixed shape (a year of a province is a million rows).
      const { sql, params } = listSql(q);
      for (const r of db
        .prepare(sql)
        .raw()
        .iterate(...params) as IterableIterator<unknown[]>) {
        yield {
          source: r[0] as string,
          code: r[1] as string,
          procedureCode: r[2] as string | null,
          procedureName: r[3] as string | null,
          field: r[4] as string | null,
          commune: r[5] as string,
          channel: r[6] as StoredDossier['channel'],
          receivedAt: r[7] as number,
          dueAt: r[8] as number,
          finishedAt: r[9] as number | null,
          firstHandledAt: r[10] as number | null,
          status: r[11] as string | null,
        };
      }
    },
  };
}

function listSql(q: { dueFrom?: number; dueTo?: number; commune?: string }): {
  sql: string;
  where: string;
  params: unknown[];
} {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.commune !== undefined) {
    where.push('commune = ?');
    params.push(q.commune);
  }
  if (q.dueFrom !== undefined) {
    where.push('due_at >= ?');
    params.push(q.dueFrom);
  }
  if (q.dueTo !== undefined) {
    where.push('due_at < ?');
    params.push(q.dueTo);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const sql = `SELECT source, code, procedure_code AS procedureCode, procedure_name AS procedureName, field, commune, channel,
    received_at AS receivedAt, due_at AS dueAt, finished_at AS finishedAt, first_handled_at AS firstHandledAt, status
    FROM dossiers
    ${clause} ORDER BY due_at`;
  return { sql, where: clause, params };
}

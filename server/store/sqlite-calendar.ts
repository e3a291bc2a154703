/**
 * The calendar seam (calendar-store.ts) on SQLite (migration 004), with an audit line for every change in
 * the same transaction. `version` changes with every write so the CalendarBook knows when its cache is stale.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CalendarFile } from '../calendar/calendar-file.js';
import type { DayRule, Season } from '../calendar/working-time.js';
import type { CalendarStore, ScopedDayRule } from './calendar-store.js';

export function createCalendarStore(db: BetterSqlite3.Database): CalendarStore {
  let version = 0;
  const upsertDay =
    db.prepare(`INSERT INTO calendar_days (scope, date, kind, name, source, provisional, updated_by, updated_at)
    VALUES (@scope, @date, @kind, @name, @source, @provisional, @actor, @now)
    ON CONFLICT (scope, date) DO UPDATE SET kind = excluded.kind, name = excluded.name, source = excluded.source,
      provisional = excluded.provisional, updated_by = excluded.updated_by, updated_at = excluded.updated_at`);
  const upsertSchedule = db.prepare(`INSERT INTO work_schedules (scope, effective_from, seasons, updated_by, updated_at)
    VALUES (@scope, @effectiveFrom, @seasons, @actor, @now)
    ON CONFLICT (scope, effective_from) DO UPDATE SET seasons = excluded.seasons, updated_by = excluded.updated_by,
      updated_at = excluded.updated_at`);
  const deleteDayStmt = db.prepare('DELETE FROM calendar_days WHERE scope = ? AND date = ?');
  const auditStmt = db.prepare('INSERT INTO calendar_audit (at, actor, action, scope, detail) VALUES (?, ?, ?, ?, ?)');
  const hasYearStmt = db
    .prepare('SELECT 1 FROM calendar_days WHERE scope = ? AND date >= ? AND date <= ? LIMIT 1')
    .pluck();
  const auditList = db.prepare('SELECT at, actor, action, scope, detail FROM calendar_audit ORDER BY id DESC LIMIT ?');
  const scopesStmt = db
    .prepare('SELECT DISTINCT scope FROM calendar_days UNION SELECT DISTINCT scope FROM work_schedules')
    .pluck();

  const dayParams = (scope: string, r: DayRule, actor: string, now: number) => ({
    scope,
    date: r.date,
    kind: r.kind,
    name: r.name,
    source: r.source ?? null,
    provisional: r.provisional ? 1 : 0,
    actor,
    now,
  });

  const importFile = db.transaction((file: CalendarFile, actor: string, now: number) => {
    for (const s of file.schedules)
      upsertSchedule.run({
        scope: file.scope,
        effectiveFrom: s.effectiveFrom,
        seasons: JSON.stringify(s.seasons),
        actor,
        now,
      });
    for (const d of file.days) upsertDay.run(dayParams(file.scope, d, actor, now));
    auditStmt.run(
      now,
      actor,
      'import',
      file.scope,
      JSON.stringify({ schedules: file.schedules.map((s) => s.effectiveFrom), days: file.days.map((d) => d.date) }),
    );
    version++;
    return { schedules: file.schedules.length, days: file.days.length };
  });

  return {
    get version() {
      return version;
    },
    importFile: (file, actor, now) => importFile.immediate(file, actor, now),
    setDay(scope, rule, actor, now) {
      db.transaction(() => {
        upsertDay.run(dayParams(scope, rule, actor, now));
        auditStmt.run(now, actor, 'set-day', scope, JSON.stringify(rule));
      }).immediate();
      version++;
    },
    deleteDay(scope, date, actor, now) {
      const deleted = db
        .transaction(() => {
          const changes = deleteDayStmt.run(scope, date).changes;
          if (changes > 0) auditStmt.run(now, actor, 'delete-day', scope, JSON.stringify({ date }));
          return changes > 0;
        })
        .immediate();
      if (deleted) version++;
      return deleted;
    },
    days(scopes, range = {}) {
      if (scopes.length === 0) return [];
      const rows = db
        .prepare(`SELECT scope, date, kind, name, source, provisional, updated_by AS updatedBy, updated_at AS updatedAt
          FROM calendar_days WHERE scope IN (${scopes.map(() => '?').join(',')}) AND date >= ? AND date <= ? ORDER BY date, scope`)
        .all(...scopes, range.from ?? '0000-01-01', range.to ?? '9999-12-31') as Array<
        Omit<ScopedDayRule, 'provisional' | 'source'> & { provisional: number; source: string | null }
      >;
      return rows.map(({ provisional, source, ...r }) => ({
        ...r,
        ...(source !== null && { source }),
        ...(provisional === 1 && { provisional: true }),
      }));
    },
    schedules(scopes) {
      if (scopes.length === 0) return [];
      const rows = db
        .prepare(`SELECT scope, effective_from AS effectiveFrom, seasons FROM work_schedules
          WHERE scope IN (${scopes.map(() => '?').join(',')}) ORDER BY effective_from`)
        .all(...scopes) as Array<{ scope: string; effectiveFrom: string; seasons: string }>;
      return rows.map((r) => ({
        scope: r.scope,
        effectiveFrom: r.effectiveFrom,
        seasons: JSON.parse(r.seasons) as Season[],
      }));
    },
    scopes: () => scopesStmt.all() as string[],
    hasYear: (scope, year) => hasYearStmt.get(scope, `${year}-01-01`, `${year}-12-31`) !== undefined,
    audit: (limit) =>
      (auditList.all(limit) as Array<{ at: number; actor: string; action: string; scope: string; detail: string }>).map(
        (r) => ({ ...r, detail: JSON.parse(r.detail) as unknown }),
      ),
  };
}

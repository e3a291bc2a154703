/**
 * Migration 016 on a database with queued notifications: the table is rebuilt without the list of channels
 * in its CHECK (the notifier registry is the only list), every row and id kept, the due index still there;
 * kind and status stay checked.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../../server/store/sqlite-migrate.js';
import { openSqliteStore } from '../../../server/store/sqlite-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

const SHIPPED = loadMigrations();
const T0 = Date.parse('2026-11-24T01:00:00Z');

describe('migration 016 (channel names from the registry)', () => {
  it('keeps the queue and accepts a channel the old CHECK did not list', () => {
    const dir = tempDir();
    const file = join(dir.path, 'cw.db');
    const db = new Database(file);
    migrate(db, { migrations: SHIPPED.filter((m) => m.version < 16), now: () => T0 });
    const notify = db.prepare(`INSERT INTO notifications
        (id, receiver, channel, target_index, kind, group_key, incident_ids, payload, status, next_attempt_at, created_at)
      VALUES (?, 'so-khcn', ?, 0, 'firing', 'g', '[7]', '{"kind":"firing"}', ?, ?, ?)`);
    notify.run(41, 'webhook', 'sent', T0, T0);
    notify.run(42, 'zalo', 'pending', T0 + 60_000, T0);
    expect(() => notify.run(43, 'mattermost', 'pending', T0, T0)).toThrow(/CHECK constraint failed/);
    db.close();

    const store = openSqliteStore({ file });
    try {
      expect(store.alerts.listNotifications({ limit: 10 }).map((n) => [n.id, n.channel, n.status])).toEqual([
        [42, 'zalo', 'pending'],
        [41, 'webhook', 'sent'],
      ]);
      expect(store.alerts.dueNotifications(T0 + 60_000, 10).map((n) => n.id)).toEqual([42]);
      const id = store.alerts.enqueue({
        receiver: 'so-khcn',
        channel: 'mattermost',
        targetIndex: 0,
        kind: 'firing',
        groupKey: 'g',
        incidentIds: [7],
        payload: {},
        now: T0,
      });
      expect(id).toBe(43);
      const index = store.db
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'notifications_due'")
        .pluck()
        .get();
      expect(index).toContain("WHERE status = 'pending'");
      expect(() => store.db.prepare("UPDATE notifications SET kind = 'nonsense' WHERE id = 43").run()).toThrow(
        /CHECK constraint failed/,
      );
    } finally {
      store.close();
      dir.remove();
    }
  });
});
